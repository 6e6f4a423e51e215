//! `status`: where each environment of a model stands.

use super::common::{Context, read_environment};
use crate::exit::Exit;
use crate::failure::Failure;
use crate::report::{EnvironmentSummary, Report};

pub(super) async fn status(
    cx: &Context,
    report: &mut Report,
    model: &str,
    env: Option<&str>,
) -> Result<(), Failure> {
    report.model_id = Some(model.to_owned());
    report.environment = env.map(str::to_owned);
    let environments = match env {
        Some(env) => vec![read_environment(cx, model, env).await?],
        None => {
            cx.client
                .list_environments()
                .model_id(model)
                .send()
                .await
                .map_err(|e| Failure::request(&format!("listing the environments of {model}"), &e))?
                .into_inner()
                .environments
        }
    };
    let summaries: Vec<EnvironmentSummary> =
        environments.iter().map(EnvironmentSummary::of).collect();
    for summary in &summaries {
        cx.out.event(&format!("{model}/{}", summary.line()));
    }
    let promoting = summaries.iter().filter(|s| s.promotion.is_some()).count();
    report.environments = Some(summaries);
    report.end(
        Exit::Done,
        "read",
        format!(
            "{model}: {} environment(s), {promoting} with a promotion in progress",
            environments.len()
        ),
    );
    Ok(())
}
