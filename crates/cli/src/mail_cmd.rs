//! `ace-refunds mail ...`: the outgoing mail queue for operators. A serving instance delivers
//! queued mail by itself (within seconds); these commands show the backlog and deliver it from
//! the command line, for installations where no server runs (cron) and for tests.

use std::process::ExitCode;

use clap::Subcommand;

use crate::commands::{explain, open};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Deliver every queued mail that is due now (unless a server is delivering at this moment).
    Send {
        #[arg(long)]
        json: bool,
    },
    /// How many mails wait for delivery, were delivered, were given up.
    Status {
        #[arg(long)]
        json: bool,
    },
}

pub async fn mail(cfg: Config, cmd: MailCommand) -> anyhow::Result<ExitCode> {
    let app = open(&cfg).await?;
    match cmd {
        MailCommand::Send { json } => {
            let d = app::mail_queue::deliver_due(&app).await.map_err(explain)?;
            if json {
                println!("{}", serde_json::to_string(&d)?);
            } else if d.busy {
                println!("another instance is delivering mail right now; nothing done");
            } else {
                println!(
                    "{} delivered, {} to try again later, {} given up ({})",
                    d.sent,
                    d.retrying,
                    d.given_up,
                    app.mailer.describe()
                );
            }
            Ok(if d.retrying + d.given_up > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        MailCommand::Status { json } => {
            let c = app::mail_queue::counts(&app).await.map_err(explain)?;
            if json {
                println!("{}", serde_json::json!({"waiting": c.waiting, "sent": c.sent, "failed": c.failed}));
            } else {
                println!("{} waiting, {} delivered, {} given up", c.waiting, c.sent, c.failed);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
