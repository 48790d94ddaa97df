//! `fk-server`: serves the app (the default), or does an operator's task.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fk_api::Lang;
use fk_server::policy::{self, store, PublishError};
use fk_server::{app, db, AppState, Config};

#[derive(Parser)]
#[command(
    name = "fk-server",
    about = "ForteKassa Privacy Center server and operator tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the web app (what runs when no command is given).
    Serve {
        /// Address to listen on; overrides FK_ADDR.
        #[arg(long)]
        addr: Option<String>,
    },
    /// A server that answers every request with an empty 200 and does nothing else: the
    /// baseline `cargo xtask bench` measures the real endpoints against (same axum, same
    /// runtime, no middleware, no database).
    #[command(hide = true)]
    NoopBaseline {
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: String,
    },
    /// Publish and list versions of the privacy policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Orders from the commerce system: load demonstration orders.
    #[command(subcommand)]
    Orders(fk_server::commerce::cli::OrdersCommand),
    /// Promotions users can join in their personal section.
    #[command(subcommand)]
    Promotion(fk_server::commerce::cli::PromotionCommand),
    /// Send a newsletter to the subscribers of a mailing list.
    #[command(subcommand)]
    Newsletter(fk_server::choices::newsletter::Command),
    /// Two-step sign-in: turn it off for someone who lost their app and recovery codes.
    #[command(subcommand)]
    TwoStep(fk_server::auth::cli::TwoStepCommand),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Publish FILE (Markdown) as the next version of the policy in LANG, effective now.
    Publish {
        #[arg(long, value_parser = parse_lang)]
        lang: Lang,
        file: PathBuf,
    },
    /// List the published versions.
    List {
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
    },
}

fn parse_lang(code: &str) -> Result<Lang, String> {
    Lang::parse(code).map_err(|e| e.message)
}

/// Bad input from the operator; the process exits with 2, as clap does for bad arguments.
const BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = Config::from_env();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve { addr: None }) {
            Command::Serve { addr } => serve(config, addr).await,
            Command::NoopBaseline { addr } => noop_baseline(&addr).await,
            Command::Policy(cmd) => policy_command(config, cmd).await,
            Command::Orders(cmd) => fk_server::commerce::cli::orders(&config, cmd).await,
            Command::Promotion(cmd) => fk_server::commerce::cli::promotion(&config, cmd).await,
            Command::Newsletter(cmd) => fk_server::choices::newsletter::run(config, cmd).await,
            Command::TwoStep(cmd) => fk_server::auth::cli::run(config, cmd).await,
        }
    })
}

async fn noop_baseline(addr: &str) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!("listening on http://{local}");
    let app = axum::Router::new().fallback(|| async {});
    // The same server loop as `serve`, so the baseline differs from it by the app only.
    match fk_server::serve::run(listener, app, Default::default(), std::future::pending()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn open_db(config: &Config) -> Result<fk_server::Db, ExitCode> {
    db::open(&config.database_url).await.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}

async fn serve(config: Config, addr: Option<String>) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FK_LOG")
                .unwrap_or_else(|_| "info,tower_http=info,sqlx=warn".into()),
        )
        .with_target(false)
        // Logs go to stderr; stdout carries only the "listening on" line scripts read.
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let addr = addr.unwrap_or(config.addr.clone());
    // Bind first: a taken port is the most common mistake and needs no database to report.
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}. Is another server running there? Set FK_ADDR (or --addr) to another address.");
            return ExitCode::FAILURE;
        }
    };
    let db = match open_db(&config).await {
        Ok(db) => db,
        Err(code) => return code,
    };
    if let Err(e) = policy::seed(&db).await {
        eprintln!("error: cannot seed the policy: {e}");
        return ExitCode::FAILURE;
    }
    let local = listener.local_addr().map(|a| a.to_string()).unwrap_or(addr);
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let state = match AppState::from_config(db.clone(), &config, &public_url) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = state.secret_key.check_opens(&db).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    state.mailer.spawn_worker(db.clone(), state.clock.clone());
    spawn_housekeeping(db.clone(), state.clock.clone());
    tracing::info!(database = %db::redact(&config.database_url), "ready");
    let shutdown = shutdown();
    // Tests and scripts read this line to learn the port.
    println!("listening on http://{local}");
    // Connection info (the consent receipts' truncated address) is given to every handler.
    let result = fk_server::serve::run(
        listener,
        app(state),
        fk_server::serve::Timeouts::default(),
        shutdown,
    )
    .await;
    db.close().await;
    match result {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: the server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C or SIGTERM: stop accepting, let requests in flight finish.
/// Ctrl+C or SIGTERM. The handlers are installed when this is called, not when the future
/// is first polled, so a signal sent right after "listening on" is never missed.
fn shutdown() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt()).ok();
        let mut terminate = signal(SignalKind::terminate()).ok();
        async move {
            tokio::select! { _ = wait(interrupt.as_mut()) => {}, _ = wait(terminate.as_mut()) => {} }
            tracing::info!("shutting down");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    }
}

#[cfg(unix)]
async fn wait(signal: Option<&mut tokio::signal::unix::Signal>) {
    match signal {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

/// Expired sessions, links and throttle counts go away every ten minutes.
fn spawn_housekeeping(db: fk_server::Db, clock: fk_server::clock::Clock) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(error) = fk_server::account::housekeeping(&db, clock.now()).await {
                tracing::warn!(%error, "housekeeping failed");
            }
        }
    });
}

async fn policy_command(config: Config, cmd: PolicyCommand) -> ExitCode {
    match cmd {
        PolicyCommand::Publish { lang, file } => {
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", file.display());
                    return ExitCode::from(BAD_INPUT);
                }
            };
            let db = match open_db(&config).await {
                Ok(db) => db,
                Err(code) => return code,
            };
            let result = policy::publish(&db, lang, &bytes).await;
            db.close().await;
            match result {
                Ok(row) => {
                    println!(
                        "published version {} of the {} policy, effective {}",
                        row.version,
                        lang.code(),
                        fk_server::clock::rfc3339(row.effective_at)
                    );
                    ExitCode::SUCCESS
                }
                Err(PublishError::Database(e)) => {
                    eprintln!("error: database: {e}");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("error: {}: {e}", file.display());
                    ExitCode::from(BAD_INPUT)
                }
            }
        }
        PolicyCommand::List { lang } => {
            let db = match open_db(&config).await {
                Ok(db) => db,
                Err(code) => return code,
            };
            let rows = match store::list_all(&db).await {
                Ok(rows) => rows,
                Err(e) => {
                    eprintln!("error: database: {e}");
                    return ExitCode::FAILURE;
                }
            };
            db.close().await;
            println!(
                "{:<5} {:>7}  {:<20}  sha256",
                "lang", "version", "effective"
            );
            for row in rows.iter().filter(|r| lang.is_none_or(|l| l == r.lang)) {
                println!(
                    "{:<5} {:>7}  {:<20}  {}",
                    row.lang.code(),
                    row.version,
                    fk_server::clock::rfc3339(row.effective_at),
                    &row.content_hash[..16]
                );
            }
            ExitCode::SUCCESS
        }
    }
}
