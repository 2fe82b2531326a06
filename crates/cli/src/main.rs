//! The `xinwen` binary: glue between the command line, the configuration and the crates that
//! do the work. Errors are reported here, with context, and become the exit code.

mod config;
mod demo;
mod eval;
mod extract;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::{Config, LogFormat};
use std::net::SocketAddr;
use std::path::PathBuf;
use xinwen_store::Store;
use xinwen_web::{AppState, SiteSettings};

#[derive(Parser)]
#[command(
    name = "xinwen",
    version,
    about = "A Chinese-language news site built from other publishers' articles, credited."
)]
struct Cli {
    /// A TOML configuration file; XINWEN_* environment variables override it.
    #[arg(long, global = true, env = "XINWEN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site from a data directory.
    Serve {
        /// The address to listen on, such as 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// The data directory (database, media, operator pages).
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Load the demo corpus into a fresh data directory and serve it.
    Demo {
        /// Use this data directory instead of a fresh temporary one.
        #[arg(long)]
        data: Option<PathBuf>,
        /// The port on 127.0.0.1; 0 picks a free one.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Load the corpus and exit without serving.
        #[arg(long)]
        load_only: bool,
    },
    /// Extract the article from a saved page and print it.
    Extract {
        /// An HTML file (`-` for standard input).
        file: String,
        /// The page's address, to resolve relative links and read dates in the URL.
        #[arg(long)]
        url: Option<String>,
        /// The HTTP charset the page was served with, if known.
        #[arg(long)]
        charset: Option<String>,
        /// Print every field as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure against a public benchmark in ../shared/data.
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Create the data directory or bring its database schema up to date, then exit.
    Migrate {
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Main-content extraction: precision, recall and F1 in the dataset's own metric.
    Extract {
        /// A dataset directory (scrapinghub-article-extraction-benchmark,
        /// chinese-web-content-extraction or trafilatura-eval).
        #[arg(long)]
        dataset: PathBuf,
        /// Also list the pages scored lowest.
        #[arg(long)]
        worst: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = Config::load(cli.config.as_deref()).and_then(|config| {
        init_logging(&config);
        let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
        runtime.block_on(run(cli.command, config))
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xinwen: error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { listen, data } => {
            if let Some(listen) = listen {
                config.server.listen = listen;
            }
            if let Some(data) = data {
                config.storage.data_dir = data;
            }
            let store = open_store(&config.storage.data_dir).await?;
            serve(store, &config).await
        }
        Command::Demo {
            data,
            port,
            load_only,
        } => {
            let data_dir = match data {
                Some(dir) => dir,
                None => tempfile::Builder::new()
                    .prefix("xinwen-demo-")
                    .tempdir()
                    .context("cannot create a temporary data directory")?
                    .keep(),
            };
            let store = open_store(&data_dir).await?;
            let loaded = demo::load(&store)
                .await
                .context("cannot load the demo corpus")?;
            println!(
                "Loaded the demo corpus into {}: {} channels, {} sources, {} articles.",
                data_dir.display(),
                loaded.channels,
                loaded.sources,
                loaded.articles
            );
            if load_only {
                store.close().await;
                return Ok(());
            }
            config.storage.data_dir = data_dir;
            config.server.listen = SocketAddr::from(([127, 0, 0, 1], port));
            serve(store, &config).await
        }
        Command::Extract {
            file,
            url,
            charset,
            json,
        } => extract::run(&file, url.as_deref(), charset.as_deref(), json),
        Command::Eval {
            what: EvalCommand::Extract { dataset, worst },
        } => eval::extract(&dataset, worst),
        Command::Migrate { data } => {
            let data_dir = data.unwrap_or(config.storage.data_dir);
            let store = open_store(&data_dir).await?;
            let versions = store.schema_versions().await?;
            println!(
                "{} is at schema version {}.",
                data_dir.join(xinwen_store::DATABASE_FILE).display(),
                versions.last().copied().unwrap_or(0)
            );
            store.close().await;
            Ok(())
        }
    }
}

async fn open_store(data_dir: &std::path::Path) -> anyhow::Result<Store> {
    Store::open(data_dir)
        .await
        .with_context(|| format!("cannot open the store in {}", data_dir.display()))
}

async fn serve(store: Store, config: &Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.listen))?;
    let address = listener.local_addr()?;
    let mut site = SiteSettings::for_data_dir(store.data_dir());
    site.name = config.site.name.clone();
    site.tagline = config.site.tagline.clone();
    site.base_url = match &config.site.base_url {
        Some(_) => config.base_url(),
        None => format!("http://{address}"),
    };
    let state = AppState::new(store.clone(), site);
    // Printed on stdout, not in the log, so that scripts and tests can read the address.
    println!("xinwen is serving on http://{address}/");
    tracing::info!(%address, data_dir = %store.data_dir().display(), "serving");
    xinwen_web::serve(listener, state, shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    store.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Completes on ctrl-c or SIGTERM, so that requests in flight finish before exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
