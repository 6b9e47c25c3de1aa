//! Zone transfer load tool: AXFR of a big zone and IXFR of one change in it, from a real
//! `designate mdns` process over a SQLite (default) or server store, measured from outside over
//! TCP.
//!
//! It seeds the store itself (directly through the storage layer, as central would write it:
//! zone row, SOA and NS recordsets, one A recordset per record), starts the binary's MiniDNS,
//! times full transfers, reads the process's peak RSS (`VmHWM`), then commits one change as
//! central does (recordset, serial bump, SOA rewrite, journal rows) and times IXFRs of it.
//! A store seeded by an earlier run (`--state` or `--connection`) is reused as it is: each run
//! adds its one change on top, and the expected record count follows the zone's serial.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::Parser;
use designate_bench::load_average;
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{
    record_hash, shard_of, Action, Pool, PoolNsRecord, Record, RecordSet, RecordStatus, Zone,
    ZoneStatus, ZoneType,
};
use designate_storage::{JournalEntry, JournalOp, SqlStorage, Storage};
use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{Name, RData, Record as WireRecord, RecordType};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use uuid::Uuid;

const ZONE: &str = "big.example.";
const SERIAL: u32 = 1_800_000_000;

#[derive(Parser)]
#[command(about = "AXFR / IXFR timing of `designate mdns` on a big zone")]
struct Args {
    /// The store (`[storage:sqlalchemy] connection`); default a SQLite file in `--state`.
    #[arg(long)]
    connection: Option<String>,
    /// State directory (SQLite file, config); kept, and its seeded zone reused, when given.
    #[arg(long)]
    state: Option<PathBuf>,
    /// The `designate` binary.
    #[arg(long, default_value = "target/release/designate")]
    binary: PathBuf,
    /// Records in the zone (one A record per name).
    #[arg(long, default_value_t = 1_000_000)]
    records: u32,
    /// Full transfers to time.
    #[arg(long, default_value_t = 3)]
    axfr_runs: u32,
    /// Incremental transfers to time.
    #[arg(long, default_value_t = 20)]
    ixfr_runs: u32,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let temp = tempfile::tempdir()?;
    let state = match &args.state {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => temp.path().to_owned(),
    };
    let url = args
        .connection
        .clone()
        .unwrap_or_else(|| format!("sqlite:///{}", state.join("designate.sqlite").display()));
    let storage = SqlStorage::connect(&url).await?;
    storage.migrate().await?;
    let zone = match seeded_zone(&storage).await? {
        Some(zone) => {
            eprintln!("reusing the seeded zone (serial {})", zone.serial);
            zone
        }
        None => {
            let started = Instant::now();
            let zone = seed(&storage, args.records).await?;
            eprintln!(
                "seeded {} records in {:.1} s",
                args.records,
                started.elapsed().as_secs_f64()
            );
            zone
        }
    };
    // Each earlier run's change added one A record.
    let expected = args.records as usize + 4 + (zone.serial - SERIAL) as usize;

    let config = state.join("designate.conf");
    std::fs::write(
        &config,
        format!(
            "[DEFAULT]\nstate_path = {}\n[storage:sqlalchemy]\nconnection = {url}\n\
             [service:mdns]\nlisten = 127.0.0.1:0\nquery_acl = any\nclient_rate_limit = 0\n",
            state.display()
        ),
    )?;
    let mut child = tokio::process::Command::new(&args.binary)
        .arg("--config")
        .arg(&config)
        .arg("mdns")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot run {}", args.binary.display()))?;
    let pid = child.id().context("pid")?;
    let mut lines = BufReader::new(child.stderr.take().context("stderr")?).lines();
    let addr: SocketAddr = loop {
        let Some(line) = lines.next_line().await? else {
            bail!("designate mdns exited before it was ready");
        };
        if let Some(addr) = line.split("mdns ready: mdns=").nth(1) {
            break addr.trim().parse()?;
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let idle_hwm = status_kib(pid, "VmHWM")?;
    // For attaching a profiler (`perf record -p PID`).
    eprintln!("mdns pid {pid} listening on {addr}");

    let mut axfr_times = Vec::new();
    let mut axfr_cpu = Vec::new();
    for _ in 0..args.axfr_runs {
        let started = Instant::now();
        let cpu_before = cpu_seconds(pid)?;
        let (messages, records) = transfer(addr, query(RecordType::AXFR, None)).await?;
        axfr_times.push(started.elapsed());
        axfr_cpu.push(cpu_seconds(pid)? - cpu_before);
        // SOA twice, two NS, the A records.
        if records != expected {
            bail!("AXFR returned {records} records in {messages} messages");
        }
        eprintln!(
            "AXFR: {records} records, {messages} messages, {:.3} s (mdns CPU {:.2} s; load {})",
            started.elapsed().as_secs_f64(),
            axfr_cpu[axfr_cpu.len() - 1],
            load_average()
        );
    }
    let peak_hwm = status_kib(pid, "VmHWM")?;
    let (anon, file) = (status_kib(pid, "RssAnon")?, status_kib(pid, "RssFile")?);

    let from = change(&storage, &zone).await?;
    let mut ixfr_times = Vec::new();
    for _ in 0..args.ixfr_runs {
        let started = Instant::now();
        let (_, records) = transfer(addr, query(RecordType::IXFR, Some(from))).await?;
        ixfr_times.push(started.elapsed());
        // New SOA, old SOA, new SOA, the added A, new SOA.
        if records != 5 {
            bail!("IXFR returned {records} records: not incremental");
        }
    }
    let _ = child.kill().await;

    axfr_times.sort();
    axfr_cpu.sort_by(f64::total_cmp);
    ixfr_times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    eprintln!("records: {}", args.records);
    eprintln!(
        "AXFR best {:.0} ms, median {:.0} ms over {} runs",
        ms(axfr_times[0]),
        ms(axfr_times[axfr_times.len() / 2]),
        axfr_times.len()
    );
    eprintln!(
        "mdns CPU per AXFR (user + system): best {:.2} s, median {:.2} s",
        axfr_cpu[0],
        axfr_cpu[axfr_cpu.len() / 2]
    );
    eprintln!(
        "IXFR (one change) best {:.2} ms, median {:.2} ms, max {:.2} ms over {} runs",
        ms(ixfr_times[0]),
        ms(ixfr_times[ixfr_times.len() / 2]),
        ms(ixfr_times[ixfr_times.len() - 1]),
        ixfr_times.len()
    );
    eprintln!(
        "mdns peak RSS (VmHWM): {:.1} MiB idle, {:.1} MiB after the transfers",
        idle_hwm as f64 / 1024.0,
        peak_hwm as f64 / 1024.0
    );
    // The readers map the database file: its pages count in RSS (once per reader connection
    // that touched them) but are the kernel's page cache, shared and reclaimable. The
    // process's own memory is `RssAnon`.
    eprintln!(
        "mdns RSS after the transfers: {:.1} MiB anonymous (the process's own), {:.1} MiB \
         file-backed (mapped database pages)",
        anon as f64 / 1024.0,
        file as f64 / 1024.0
    );
    Ok(())
}

/// User plus system CPU time of a process so far, in seconds (`/proc/<pid>/stat`).
fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').context("stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64> { Ok(fields.get(i).context("stat field")?.parse()?) };
    // USER_HZ is 100 on Linux.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}

/// A `… kB` field of `/proc/<pid>/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field}"))
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn zone_row() -> Zone {
    let id = Uuid::new_v4();
    Zone {
        id,
        version: 1,
        created_at: now(),
        updated_at: None,
        deleted: "0".to_owned(),
        deleted_at: None,
        shard: shard_of(&id),
        tenant_id: Some("bench".to_owned()),
        name: ZONE.to_owned(),
        email: "hostmaster@big.example".to_owned(),
        description: None,
        zone_type: ZoneType::Primary,
        transferred_at: None,
        ttl: 3600,
        serial: SERIAL,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: 3600,
        status: ZoneStatus::Active,
        parent_zone_id: None,
        action: Action::None,
        pool_id: Some(Uuid::nil()),
        reverse_name: ZONE.chars().rev().collect(),
        delayed_notify: false,
        increment_serial: false,
        attributes: Default::default(),
        masters: Vec::new(),
    }
}

fn soa_data(serial: u32) -> String {
    format!("ns1.big.example. hostmaster.big.example. {serial} 3600 600 86400 3600")
}

fn recordset(zone: &Zone, name: &str, rtype: &str, data: &[String]) -> RecordSet {
    let id = Uuid::new_v4();
    let records = data
        .iter()
        .map(|d| Record {
            id: Uuid::new_v4(),
            version: 1,
            created_at: zone.created_at,
            updated_at: None,
            zone_shard: zone.shard,
            tenant_id: zone.tenant_id.clone(),
            zone_id: zone.id,
            recordset_id: id,
            data: d.clone(),
            description: None,
            hash: record_hash(&id, d),
            managed: rtype == "SOA" || rtype == "NS",
            managed_extra: None,
            managed_plugin_type: None,
            managed_plugin_name: None,
            managed_resource_type: None,
            managed_resource_region: None,
            managed_resource_id: None,
            managed_tenant_id: None,
            status: RecordStatus::Active,
            action: Action::None,
            serial: zone.serial,
        })
        .collect();
    RecordSet {
        id,
        version: 1,
        created_at: zone.created_at,
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        zone_name: zone.name.clone(),
        name: name.to_owned(),
        rtype: rtype.to_owned(),
        ttl: None,
        description: None,
        reverse_name: name.chars().rev().collect(),
        records,
    }
}

/// The zone an earlier run seeded, if any.
async fn seeded_zone(storage: &SqlStorage) -> Result<Option<Zone>> {
    let mut tx = storage.begin().await?;
    let criteria = Criteria::new().eq("name", ZONE).eq("deleted", "0");
    let found = tx.find_zones(&criteria, &Page::default()).await?;
    tx.commit().await?;
    Ok(found.items.into_iter().next())
}

/// The zone with its SOA, two NS and `n` A records, in one transaction (multi-row inserts).
async fn seed(storage: &SqlStorage, n: u32) -> Result<Zone> {
    let zone = zone_row();
    let mut tx = storage.begin().await?;
    // The zone's pool, whose NS is the SOA's MNAME as central writes it.
    tx.create_pool(&Pool {
        id: Uuid::nil(),
        name: "bench".to_owned(),
        description: None,
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: vec![PoolNsRecord {
            priority: 1,
            hostname: "ns1.big.example.".to_owned(),
        }],
        nameservers: Vec::new(),
        targets: Vec::new(),
        also_notifies: Vec::new(),
    })
    .await?;
    tx.create_zone(&zone).await?;
    tx.create_recordset(&recordset(&zone, ZONE, "SOA", &[soa_data(SERIAL)]))
        .await?;
    let ns = ["ns1.big.example.".to_owned(), "ns2.big.example.".to_owned()];
    tx.create_recordset(&recordset(&zone, ZONE, "NS", &ns))
        .await?;
    let mut batch = Vec::with_capacity(500);
    for i in 0..n {
        let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        batch.push(recordset(&zone, &format!("host-{i}.{ZONE}"), "A", &[ip]));
        if batch.len() == 500 || i + 1 == n {
            tx.create_recordsets(&batch).await?;
            batch.clear();
        }
    }
    tx.commit().await?;
    Ok(zone)
}

/// One change as central commits it: a new recordset, the serial bump and SOA rewrite, and the
/// journal rows (old SOA out, new SOA in, the record in). Returns the serial before it.
async fn change(storage: &SqlStorage, zone: &Zone) -> Result<u32> {
    let prev = zone.serial;
    let next = prev + 1;
    let mut tx = storage.begin().await?;
    let added = "192.0.2.77".to_owned();
    tx.create_recordset(&recordset(
        zone,
        &format!("new-{next}.{ZONE}"),
        "A",
        std::slice::from_ref(&added),
    ))
    .await?;
    let mut bumped = tx.get_zone(zone.id).await?;
    bumped.serial = next;
    tx.update_zone(&bumped).await?;
    // Central's SOA rewrite: the one SOA record gets the new serial (and so a new hash).
    let mut soa = tx
        .zone_soa_recordset(&bumped)
        .await?
        .context("the zone has no SOA recordset")?;
    let data = soa_data(next);
    for record in &mut soa.records {
        record.hash = record_hash(&soa.id, &data);
        record.data = data.clone();
        record.serial = next;
    }
    tx.update_recordset(&soa).await?;
    let row = |seq, op, name: &str, rtype: &str, data: String| JournalEntry {
        serial: next,
        prev_serial: prev,
        seq,
        op,
        name: name.to_owned(),
        rtype: rtype.to_owned(),
        ttl: 3600,
        data,
    };
    tx.append_zone_journal(
        zone.id,
        &[
            row(0, JournalOp::Del, ZONE, "SOA", soa_data(prev)),
            row(1, JournalOp::Add, ZONE, "SOA", soa_data(next)),
            row(2, JournalOp::Add, &format!("new-{next}.{ZONE}"), "A", added),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(prev)
}

fn query(rtype: RecordType, client_serial: Option<u32>) -> Message {
    let name = Name::from_ascii(ZONE).expect("zone name");
    let mut m = Message::new();
    m.set_id(7)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(name.clone(), rtype));
    if let Some(serial) = client_serial {
        let soa = SOA::new(name.clone(), name.clone(), serial, 0, 0, 0, 0);
        m.add_name_server(WireRecord::from_rdata(name, 0, RData::SOA(soa)));
    }
    m
}

/// One transfer over a fresh TCP connection: (messages, records) up to the closing SOA.
///
/// The first message is decoded in full (its response code checked); the rest are walked record
/// by record to count them and find the SOAs, so the client's own decoding (on the same two
/// cores) weighs little in the time measured.
async fn transfer(addr: SocketAddr, request: Message) -> Result<(usize, usize)> {
    let mut stream = TcpStream::connect(addr).await?;
    let wire = request.to_vec()?;
    let mut framed = u16::try_from(wire.len())?.to_be_bytes().to_vec();
    framed.extend(wire);
    stream.write_all(&framed).await?;
    // AXFR: SOA … SOA; an incremental IXFR: new SOA, (old SOA, deletions, new SOA, additions)…,
    // new SOA — 4 SOAs for one change.
    let closing = if request.queries()[0].query_type() == RecordType::IXFR {
        4
    } else {
        2
    };
    let (mut messages, mut records, mut soas) = (0, 0, 0);
    let mut body = Vec::new();
    while soas < closing {
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).await?;
        body.resize(usize::from(u16::from_be_bytes(len)), 0);
        stream.read_exact(&mut body).await?;
        if messages == 0 {
            let m = Message::from_vec(&body)?;
            if m.answers().is_empty() {
                bail!("empty or error response: {:?}", m.response_code());
            }
        }
        let (answers, soa_count) = walk(&body).context("malformed response")?;
        if answers == 0 {
            bail!("a response without answers");
        }
        messages += 1;
        records += answers;
        soas += soa_count;
    }
    Ok((messages, records))
}

/// Counts a response's answer records and the SOAs among them, skipping over the wire format.
fn walk(wire: &[u8]) -> Option<(usize, usize)> {
    let count = |at: usize| {
        Some(usize::from(u16::from_be_bytes([
            *wire.get(at)?,
            *wire.get(at + 1)?,
        ])))
    };
    let (questions, answers) = (count(4)?, count(6)?);
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(wire, at)? + 4;
    }
    let mut soas = 0;
    for _ in 0..answers {
        at = skip_name(wire, at)?;
        if count(at)? == usize::from(u16::from(RecordType::SOA)) {
            soas += 1;
        }
        at += 10 + count(at + 8)?;
    }
    (at <= wire.len()).then_some((answers, soas))
}

/// The offset after the name at `at` (labels, ending in a root label or a pointer).
fn skip_name(wire: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = usize::from(*wire.get(at)?);
        match len {
            0 => return Some(at + 1),
            l if l & 0xC0 == 0xC0 => return Some(at + 2),
            l => at += 1 + l,
        }
    }
}
