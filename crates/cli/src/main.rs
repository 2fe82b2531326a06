//! The `xinwen` binary: glue between the command line, the configuration and the crates that
//! do the work. Errors are reported here, with context, and become the exit code.

mod bench;
mod bench_dedup;
mod bench_search;
mod bench_site;
mod cluster;
mod config;
mod demo;
mod eval;
mod extract;
mod feed;
mod index;
mod output;
mod pipeline;
mod sources;
mod synthetic;
mod tokens;
mod users;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::{Config, LogFormat};
use output::outln;
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
    /// A PostgreSQL database to keep the store in (postgres://user:password@host/db) instead
    /// of SQLite in the data directory; also XINWEN_DATABASE_URL or storage.database_url.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site and run the fetch scheduler, from a data directory.
    Serve {
        /// The address to listen on, such as 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// The data directory (database, media, operator pages).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Serve only; another process fetches (`xinwen fetch`).
        #[arg(long, conflicts_with = "fetch_only")]
        no_fetch: bool,
        /// Fetch only, without the web server (same as `xinwen fetch`).
        #[arg(long)]
        fetch_only: bool,
    },
    /// Fetch sources: one pass with --once, otherwise the scheduler without the web server.
    Fetch {
        /// Only this source (id or slug), even if paused or not yet due.
        #[arg(long)]
        source: Option<String>,
        /// One pass over every active source, then exit.
        #[arg(long)]
        once: bool,
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Manage the sources xinwen fetches.
    Source {
        #[arg(long, global = true)]
        data: Option<PathBuf>,
        #[command(subcommand)]
        command: sources::SourceCommand,
    },
    /// Manage the editors' accounts for the admin at /admin.
    User {
        #[arg(long, global = true)]
        data: Option<PathBuf>,
        #[command(subcommand)]
        command: users::UserCommand,
    },
    /// Add articles by their links, under a source.
    Article {
        #[arg(long, global = true)]
        data: Option<PathBuf>,
        #[command(subcommand)]
        command: ArticleCommand,
    },
    /// Manage the tokens programs write through the API with.
    Token {
        #[arg(long, global = true)]
        data: Option<PathBuf>,
        #[command(subcommand)]
        command: tokens::TokenCommand,
    },
    /// Read feed files.
    Feed {
        #[command(subcommand)]
        command: FeedCommand,
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
    /// Measure performance and print figures (not a test).
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Rebuild the search index from the store, with a progress bar.
    Reindex {
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Create the data directory or bring its database schema up to date, then exit.
    Migrate {
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Move a site between databases.
    Store {
        /// The data directory whose SQLite database is copied.
        #[arg(long, global = true)]
        data: Option<PathBuf>,
        #[command(subcommand)]
        command: StoreCommand,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Copy the SQLite store of the data directory into a new, empty PostgreSQL database,
    /// then compare every table's rows and checksums. Stop the site first.
    Copy {
        /// The PostgreSQL database: postgres://user:password@host:port/database.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Subcommand)]
enum ArticleCommand {
    /// Fetch each page, extract its article and publish it under SOURCE, as the source's feed
    /// would (through the guard, robots.txt, tombstones and stories).
    Add {
        #[arg(required = true)]
        urls: Vec<String>,
        /// The source's slug.
        #[arg(long)]
        source: String,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Story assignment: articles per second on one core and memory kept.
    Dedup {
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
    },
    /// Search: indexing rate, index size, latency and correctness, against SQLite FTS5
    /// (trigram) on the same synthetic corpus and queries.
    Search {
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
        /// Queries of each kind (2-, 3-, 4-character words, phrases).
        #[arg(long, default_value_t = 200)]
        queries: usize,
    },
    /// Ingest throughput (fetch → extract → store) against a local origin of synthetic
    /// publishers, and peak memory.
    Ingest {
        #[arg(long, default_value_t = 40)]
        sources: usize,
        #[arg(long, default_value_t = 50)]
        articles: usize,
        /// The size of each article page.
        #[arg(long, default_value_t = 50)]
        page_kb: usize,
        /// Fetch workers taking sources with leases, as separate `xinwen fetch` processes do
        /// (each with its own fetcher and story keeper), here in one process.
        #[arg(long, default_value_t = 1)]
        workers: usize,
    },
    /// The whole site at production size: builds (or reuses) a year of synthetic news, serves
    /// it from a separate `xinwen serve`, and offers it mixed traffic at fixed rates (open
    /// loop), then the same while an ingest pass runs.
    Site {
        /// Articles in the store (built once; a data directory holding them is reused).
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// The data directory to build in or reuse; kept afterwards. Without it, a temporary one.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Keep the temporary data directory, ready for `xinwen serve --data DIR`.
        #[arg(long)]
        keep: bool,
        /// The rate of the main run, in requests per second.
        #[arg(long, default_value_t = 1_000)]
        rate: u32,
        /// The rate of the run during ingest, in requests per second.
        #[arg(long, default_value_t = 500)]
        ingest_rate: u32,
        /// Articles per second the ingest pass aims at. A little above the 100 it should
        /// hold, because its rate counts the last batch's fetch after the pace is spent.
        #[arg(long, default_value_t = 110)]
        ingest_articles: u32,
        /// How long each run lasts.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// Web nodes serving the site; more than one are put behind HAProxy (Debian's
        /// `haproxy`), need the store on PostgreSQL (--database-url), and each gets its own
        /// copy of the search index, as separate machines would.
        #[arg(long, default_value_t = 1)]
        nodes: usize,
    },
}

#[derive(Subcommand)]
enum FeedCommand {
    /// Parse one feed file and print its entries, or why it cannot be read (exit code 1).
    Parse {
        file: PathBuf,
        /// The charset the feed was served with, if known.
        #[arg(long)]
        charset: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Article links on labelled list pages: precision and recall of the links taken.
    Links {
        /// The GNE Chinese pages (gne-chinese-news-pages); its list pages are labelled in
        /// crates/extract/tests/fixtures/list-labels.
        #[arg(long, default_value = "../shared/data/gne-chinese-news-pages")]
        dataset: PathBuf,
        /// Also list the links taken wrongly and those missed.
        #[arg(long)]
        errors: bool,
    },
    /// Same-story decisions: pairwise precision, recall and F1, recall per kind of repost.
    Dedup {
        /// A dataset directory with stories.jsonl (dedup-synthetic).
        #[arg(long)]
        dataset: PathBuf,
    },
    /// Related reading on a labelled corpus: precision at 5 and 10 by label.
    Related {
        /// A dataset directory with cnews.jsonl (thucnews-cnews-1000).
        #[arg(long)]
        dataset: PathBuf,
    },
    /// Main-content extraction: precision, recall and F1 in the dataset's own metric.
    Extract {
        /// A dataset directory (scrapinghub-article-extraction-benchmark,
        /// chinese-web-content-extraction or trafilatura-eval).
        #[arg(long)]
        dataset: PathBuf,
        /// Also list the pages scored lowest.
        #[arg(long)]
        worst: bool,
        /// Also list every page's F1, in the dataset's order (to compare two builds).
        #[arg(long)]
        per_page: bool,
        /// Also list each author and date that did not match, expected beside found.
        #[arg(long)]
        misses: bool,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = Config::load(cli.config.as_deref()).and_then(|mut config| {
        if let Some(url) = cli.database_url {
            config.storage.database_url = Some(url);
        }
        DATABASE_URL
            .set(config.storage.database_url.clone())
            .expect("set once, before any command runs");
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
    // Colour only for a person at a terminal: a log redirected to a file or a journal keeps
    // no escape codes. NO_COLOR (no-color.org) turns it off at a terminal too.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            listen,
            data,
            no_fetch,
            fetch_only,
        } => {
            if let Some(listen) = listen {
                config.server.listen = listen;
            }
            if let Some(data) = data {
                config.storage.data_dir = data;
            }
            // Before anything slow: a port in use is said at once, not after the index.
            let listener = match fetch_only {
                true => None,
                false => Some(bind(config.server.listen).await?),
            };
            let store = open_store(&config.storage.data_dir).await?;
            let pipeline = match no_fetch {
                true => pipeline::Pipeline::for_web_only(&store, &config).await?,
                false => pipeline::Pipeline::from_config(&store, &config).await?,
            };
            let run = Run {
                web: !fetch_only,
                fetch: !no_fetch,
            };
            serve(store, &config, pipeline, run, listener).await
        }
        Command::Fetch { source, once, data } => {
            let data_dir = data.unwrap_or(config.storage.data_dir.clone());
            let store = open_existing_store(&data_dir).await?;
            let pipeline = pipeline::Pipeline::from_config(&store, &config).await?;
            if !once && source.is_none() {
                return serve(
                    store,
                    &config,
                    pipeline,
                    Run {
                        web: false,
                        fetch: true,
                    },
                    None,
                )
                .await;
            }
            let sources = store.sources_with_health().await?;
            let sources: Vec<_> = match &source {
                Some(key) => {
                    let wanted = store.find_source(key).await?;
                    sources
                        .into_iter()
                        .filter(|s| s.source.id == wanted.id)
                        .collect()
                }
                None => sources
                    .into_iter()
                    .filter(|s| !s.source.paused && s.source.feed_url.is_some())
                    .collect(),
            };
            let reports = pipeline::run_pass_with_progress(&pipeline, sources).await;
            outln!("{}", pipeline::summarize(&reports));
            store.close().await;
            if source.is_some()
                && let Some(Err(why)) = reports.first().map(|r| &r.outcome)
            {
                anyhow::bail!("the source could not be fetched: {why}");
            }
            Ok(())
        }
        Command::Source { data, command } => {
            let data_dir = data.unwrap_or(config.storage.data_dir.clone());
            sources::run(command, &data_dir, &config).await
        }
        Command::User { data, command } => {
            let data_dir = data.unwrap_or(config.storage.data_dir.clone());
            users::run(command, &data_dir).await
        }
        Command::Article {
            data,
            command: ArticleCommand::Add { urls, source },
        } => {
            let data_dir = data.unwrap_or(config.storage.data_dir.clone());
            let store = open_existing_store(&data_dir).await?;
            let pipeline = pipeline::Pipeline::from_config(&store, &config).await?;
            let mut failed = 0;
            for url in &urls {
                match pipeline.ingester.add_link(&source, url).await {
                    Ok(id) => outln!("{url}: article {id}"),
                    Err(e) => {
                        failed += 1;
                        eprintln!("{url}: not added: {e}");
                    }
                }
            }
            store.close().await;
            if failed > 0 {
                anyhow::bail!("{failed} of {} links were not added", urls.len());
            }
            Ok(())
        }
        Command::Token { data, command } => {
            let data_dir = data.unwrap_or(config.storage.data_dir.clone());
            tokens::run(command, &data_dir).await
        }
        Command::Feed {
            command:
                FeedCommand::Parse {
                    file,
                    charset,
                    json,
                },
        } => feed::parse(&file, charset.as_deref(), json),
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
            // Before the corpus is ingested, so that a port in use is said at once.
            let listen = SocketAddr::from(([127, 0, 0, 1], port));
            let listener = match load_only {
                true => None,
                false => Some(bind(listen).await?),
            };
            let store = open_store(&data_dir).await?;
            let loaded = demo::load(&store, &config)
                .await
                .context("cannot load the demo corpus")?;
            outln!(
                "Loaded the demo corpus into {} through the fetch pipeline, from a local origin at {}: {} channels, {} sources, {} articles.\n{}",
                data_dir.display(),
                loaded.origin.address,
                loaded.channels,
                loaded.sources,
                loaded.articles,
                loaded.summary
            );
            if let Some((name, password)) = &loaded.admin {
                outln!(
                    "The admin is at /admin: log in as {name} with password {password} (made for this demo; change it with `xinwen user passwd {name}`)."
                );
            }
            if load_only {
                store.close().await;
                return Ok(());
            }
            config.storage.data_dir = data_dir;
            config.server.listen = listen;
            let run = Run {
                web: true,
                fetch: true,
            };
            serve(store, &config, loaded.pipeline, run, listener).await
        }
        Command::Extract {
            file,
            url,
            charset,
            json,
        } => extract::run(&file, url.as_deref(), charset.as_deref(), json, &config).await,
        Command::Eval {
            what:
                EvalCommand::Extract {
                    dataset,
                    worst,
                    per_page,
                    misses,
                },
        } => eval::extract(&dataset, worst, per_page, misses),
        Command::Eval {
            what: EvalCommand::Links { dataset, errors },
        } => eval::links(&dataset, errors),
        Command::Eval {
            what: EvalCommand::Related { dataset },
        } => eval::related(&dataset),
        Command::Eval {
            what: EvalCommand::Dedup { dataset },
        } => eval::dedup(&dataset),
        Command::Bench {
            what: BenchCommand::Dedup { docs },
        } => bench_dedup::run(docs),
        Command::Bench {
            what: BenchCommand::Search { docs, queries },
        } => bench_search::run(docs, queries).await,
        Command::Bench {
            what:
                BenchCommand::Ingest {
                    sources,
                    articles,
                    page_kb,
                    workers,
                },
        } => {
            let options = bench::IngestBench {
                sources,
                tag: String::new(),
                articles_per_source: articles,
                page_kb,
                workers,
            };
            bench::ingest(options, &config).await
        }
        Command::Bench {
            what:
                BenchCommand::Site {
                    articles,
                    data,
                    keep,
                    rate,
                    ingest_rate,
                    ingest_articles,
                    seconds,
                    nodes,
                },
        } => {
            let options = bench_site::SiteBench {
                articles,
                data,
                keep,
                rate,
                ingest_rate,
                ingest_articles,
                seconds,
                nodes,
            };
            bench_site::run(options, &config).await
        }
        Command::Reindex { data } => {
            let data_dir = data.unwrap_or(config.storage.data_dir.clone());
            let store = open_existing_store(&data_dir).await?;
            let result = index::rebuild(&store).await;
            store.close().await;
            result
        }
        Command::Store {
            data,
            command: StoreCommand::Copy { to },
        } => {
            let data_dir = data.unwrap_or(config.storage.data_dir);
            copy_store(&data_dir, &to).await
        }
        Command::Migrate { data } => {
            let data_dir = data.unwrap_or(config.storage.data_dir);
            let store = open_store(&data_dir).await?;
            let versions = store.schema_versions().await?;
            outln!(
                "{} is at schema version {}.",
                store_location(&data_dir),
                versions.last().copied().unwrap_or(0)
            );
            store.close().await;
            Ok(())
        }
    }
}

/// `xinwen store copy`: the data directory's SQLite store into PostgreSQL at `to`, with a
/// progress bar, then every table compared.
async fn copy_store(data_dir: &std::path::Path, to: &str) -> anyhow::Result<()> {
    let database = data_dir.join(xinwen_store::DATABASE_FILE);
    if !database.is_file() {
        anyhow::bail!(
            "there is no SQLite store to copy in {}: {} does not exist (give the data directory with --data DIR)",
            data_dir.display(),
            database.display()
        );
    }
    let source = Store::connect(data_dir, None)
        .await
        .with_context(|| format!("cannot open {}", database.display()))?;
    let target = Store::connect(data_dir, Some(to))
        .await
        .with_context(|| format!("cannot open {}", xinwen_store::redact_password(to)))?;
    let mut bar: Option<indicatif::ProgressBar> = None;
    let report = source
        .copy_into(&target, |progress| {
            let bar = bar.get_or_insert_with(|| {
                pipeline::progress_bar_with(
                    progress.total as usize,
                    "{spinner} {bar:30} {pos}/{len} rows  {msg}",
                )
            });
            bar.set_message(progress.table);
            bar.set_position(progress.done);
        })
        .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = report?;
    // The site's keys go with it: every process on PostgreSQL takes them from there.
    cluster::share_keys(&target).await?;
    source.close().await;
    target.close().await;
    let mut mismatched = Vec::new();
    for table in &report {
        let state = if table.matches() {
            "same rows, same checksum"
        } else {
            mismatched.push(table.table);
            "DIFFERENT"
        };
        outln!(
            "{:<22} {:>10} → {:>10}  {state}",
            table.table,
            table.source_rows,
            table.target_rows
        );
    }
    if !mismatched.is_empty() {
        anyhow::bail!(
            "the copy differs from the original in {}; do not switch to it",
            mismatched.join(", ")
        );
    }
    let rows: u64 = report.iter().map(|t| t.source_rows).sum();
    outln!(
        "Copied {rows} rows of {} tables into {}; every table matches. Start the site with --database-url (or XINWEN_DATABASE_URL) to serve from it.",
        report.len(),
        xinwen_store::redact_password(to)
    );
    Ok(())
}

/// The PostgreSQL database every command's store is in, or `None` for SQLite in the data
/// directory: set once from the configuration, before any command runs, so that each way of
/// opening the store below agrees without every command carrying it.
static DATABASE_URL: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

fn database_url() -> Option<&'static str> {
    DATABASE_URL.get().and_then(Option::as_deref)
}

/// Where the store is, in words for a message: the SQLite file, or the database's URL
/// without its password.
fn store_location(data_dir: &std::path::Path) -> String {
    match database_url() {
        Some(url) => xinwen_store::redact_password(url),
        None => data_dir
            .join(xinwen_store::DATABASE_FILE)
            .display()
            .to_string(),
    }
}

async fn open_store(data_dir: &std::path::Path) -> anyhow::Result<Store> {
    let sqlite = data_dir.join(xinwen_store::DATABASE_FILE);
    if database_url().is_some() && sqlite.is_file() {
        // Most likely a site moved without its store: said, so that an empty site on
        // PostgreSQL is not a mystery.
        tracing::warn!(
            file = %sqlite.display(),
            "the data directory holds a SQLite store, which is not used while the store is on PostgreSQL; `xinwen store copy` moves it there"
        );
    }
    Store::connect(data_dir, database_url())
        .await
        .with_context(|| format!("cannot open the store in {}", store_location(data_dir)))
}

/// Opens the store a command works on, which must exist: `xinwen source list` run in the
/// wrong directory says so instead of leaving an empty `xinwen-data/` there.
async fn open_existing_store(data_dir: &std::path::Path) -> anyhow::Result<Store> {
    let database = data_dir.join(xinwen_store::DATABASE_FILE);
    if database_url().is_none() && !database.is_file() {
        anyhow::bail!(
            "there is no xinwen store in {}: {} does not exist. Give the data directory with --data DIR (or XINWEN_DATA_DIR, or storage.data_dir in the configuration file); `xinwen migrate --data DIR` creates a new one",
            data_dir.display(),
            database.display()
        );
    }
    open_store(data_dir).await
}

/// Opens the store, creating it when there is none and saying so on standard error: adding
/// the first account or source is how an operator starts a site.
async fn open_store_creating(data_dir: &std::path::Path) -> anyhow::Result<Store> {
    let new = database_url().is_none() && !data_dir.join(xinwen_store::DATABASE_FILE).exists();
    let store = open_store(data_dir).await?;
    if new {
        eprintln!(
            "note: created a new xinwen store in {}",
            std::fs::canonicalize(data_dir)
                .unwrap_or_else(|_| data_dir.to_owned())
                .display()
        );
    }
    Ok(store)
}

/// What a serving process runs: the web server, the fetch scheduler, or both.
#[derive(Clone, Copy)]
struct Run {
    web: bool,
    fetch: bool,
}

async fn bind(address: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address).await.with_context(|| {
        format!("cannot listen on {address}; is another server using that port? Choose another with --listen (or --port for the demo)")
    })
}

/// Runs the web server (on `listener`, which `run.web` needs) and the fetch scheduler.
async fn serve(
    store: Store,
    config: &Config,
    pipeline: pipeline::Pipeline,
    run: Run,
    listener: Option<tokio::net::TcpListener>,
) -> anyhow::Result<()> {
    // One signal, seen by the server and the scheduler alike.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    let scheduler = run.fetch.then(|| {
        tracing::info!("fetch scheduler started");
        tokio::spawn(xinwen_ingest::scheduler::run(
            pipeline.ingester.clone(),
            until_stopped(stopped.clone()),
        ))
    });
    let mut indexer = None;
    if run.web {
        // What a crash between a takedown's commit and its purge left behind is purged now,
        // before the first request: removed articles' images are not served again.
        xinwen_web::repair_takedowns(&store, &pipeline.media)
            .await
            .context("cannot finish purging approved takedowns")?;
    }
    let search = if run.web {
        let index = index::open(store.data_dir())?;
        index::catch_up(&index, &store).await?;
        // A small site starts with all its related reading in place; a large one starts with
        // its newest, and the rest is worked out in the background.
        let started = std::time::Instant::now();
        let worked = xinwen_web::catch_up_related(&store, &index, RELATED_AT_START).await;
        if worked > 0 {
            tracing::info!(
                articles = worked,
                seconds = started.elapsed().as_secs_f64(),
                "related reading worked out before serving"
            );
        }
        indexer = Some(tokio::spawn(index::keep_current(
            index.clone(),
            store.clone(),
            until_stopped(stopped.clone()),
        )));
        Some(index)
    } else {
        None
    };
    if let Some(listener) = listener.filter(|_| run.web) {
        let address = listener.local_addr()?;
        let mut site = SiteSettings::for_data_dir(store.data_dir());
        site.name = config.site.name.clone();
        site.tagline = config.site.tagline.clone();
        site.base_url = match &config.site.base_url {
            Some(_) => config.base_url(),
            None => format!("http://{address}"),
        };
        site.stale_after = config.ingest.stale_after();
        site.secure_cookies = config
            .site
            .secure_cookies
            .unwrap_or(site.base_url.starts_with("https://"));
        site.trust_forwarded_for = config.site.trust_forwarded_for;
        site.session_hours = config.site.session_hours;
        site.requests_per_address_hour = config.site.requests_per_address_hour;
        site.requests_per_hour = config.site.requests_per_hour;
        site.metrics_token = config.server.metrics_token.clone();
        site.api_requests_per_minute = config.server.api_requests_per_minute;
        site.websub_hub = config.site.websub_hub.clone();
        site.address_key = users::address_key(store.data_dir())?;
        let services = xinwen_web::Services {
            media: Some(pipeline.media.clone()),
            search,
            fetcher: Some(pipeline.readers_links.clone()),
            ingester: run.fetch.then(|| pipeline.ingester.clone()),
        };
        let state = AppState::with_services(store.clone(), site, services);
        let integrity = state.watch_store_integrity();
        let site_changes = state.watch_site_changes();
        // Every serving process may send the site's webhooks and WebSub pings; the one that
        // holds each task's lease in the store does, so that each is sent once.
        let holder = xinwen_ingest::scheduler::worker_name();
        let webhooks = xinwen_web::start_webhooks(state.clone(), holder.clone());
        let websub = xinwen_web::start_websub(state.clone(), holder.clone());
        // Printed on stdout, not in the log, so that scripts and tests can read the address.
        outln!("xinwen is serving on http://{address}/");
        tracing::info!(%address, data_dir = %store.data_dir().display(), "serving");
        xinwen_web::serve(listener, state, until_stopped(stopped.clone()))
            .await
            .context("the HTTP server failed")?;
        integrity.abort();
        site_changes.abort();
        for task in [webhooks, websub].into_iter().flatten() {
            task.abort();
        }
        // Another node takes the tasks at once rather than when the leases would run out.
        for task in [xinwen_web::WEBHOOK_TASK, xinwen_web::WEBSUB_TASK] {
            if let Err(e) = store.release_task(task, &holder).await {
                tracing::warn!(task, error = %e, "a site-wide task's lease could not be given up");
            }
        }
    } else {
        outln!("xinwen is fetching (no web server); stop it with ctrl-c or SIGTERM.");
        until_stopped(stopped.clone()).await;
    }
    for task in [scheduler, indexer].into_iter().flatten() {
        let _ = task.await;
    }
    store.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// How long a serving process may spend on related reading before its first request.
const RELATED_AT_START: std::time::Duration = std::time::Duration::from_secs(10);

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
