//! The mock starts in well under a second, spec parsing included, and stops when dropped.

use crate::common;

use std::time::{Duration, Instant};

use baseten_mock::{MockServer, Seed};

#[tokio::test]
async fn it_starts_in_under_a_second_and_answers_at_once() {
    // The first start in this process also parses the spec and compiles its validators.
    let started = Instant::now();
    let mock = MockServer::builder()
        .seed(Seed::demo())
        .start()
        .await
        .unwrap();
    let (status, _) = common::post(
        &mock,
        "/v1/models/mdl-llama/environments/production/force_roll_forward_promotion",
        None,
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(status, 400);
    eprintln!("start-up and first answer: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}

#[tokio::test]
async fn dropping_or_shutting_down_frees_the_port() {
    let mock = MockServer::start().await;
    let address = mock.address();
    mock.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "nothing listens after shutdown"
    );

    let mock = MockServer::start().await;
    let address = mock.address();
    drop(mock);
    // The accept loop stops on its own task; give it a moment.
    let mut closed = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(closed, "still listening on {address} after drop");
}
