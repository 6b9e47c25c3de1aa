//! Zone transfer load tool: AXFR of a big zone and IXFR of one change in it, from a real
//! `designate mdns` process over a SQLite store, measured from outside over TCP.
//!
//! It seeds the store itself (directly through the storage layer, as central would write it:
//! zone row, SOA and NS recordsets, one A recordset per record), starts the binary's MiniDNS,
//! times full transfers, reads the process's peak RSS (`VmHWM`), then commits one change as
//! central does (recordset, serial bump, SOA rewrite, journal rows) and times IXFRs of it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::Parser;
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
#[command(about = "AXFR / IXFR timing of `designate mdns` on a big SQLite zone")]
struct Args {
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
    let state = tempfile::tempdir()?;
    let db = state.path().join("designate.sqlite");
    let url = format!("sqlite:///{}", db.display());
    let storage = SqlStorage::connect(&url).await?;
    storage.migrate().await?;
    let seeded = Instant::now();
    let zone = seed(&storage, args.records).await?;
    eprintln!(
        "seeded {} records in {:.1} s",
        args.records,
        seeded.elapsed().as_secs_f64()
    );

    let config = state.path().join("designate.conf");
    std::fs::write(
        &config,
        format!(
            "[DEFAULT]\nstate_path = {}\n[service:mdns]\nlisten = 127.0.0.1:0\nquery_acl = any\n\
             client_rate_limit = 0\n",
            state.path().display()
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
    let idle_hwm = vm_hwm(pid)?;

    let mut axfr_times = Vec::new();
    for _ in 0..args.axfr_runs {
        let started = Instant::now();
        let (messages, records) = transfer(addr, query(RecordType::AXFR, None)).await?;
        axfr_times.push(started.elapsed());
        // SOA twice, two NS, the A records.
        if records != args.records as usize + 4 {
            bail!("AXFR returned {records} records in {messages} messages");
        }
        eprintln!(
            "AXFR: {records} records, {messages} messages, {:.3} s",
            started.elapsed().as_secs_f64()
        );
    }
    let peak_hwm = vm_hwm(pid)?;

    change(&storage, &zone).await?;
    let mut ixfr_times = Vec::new();
    for _ in 0..args.ixfr_runs {
        let started = Instant::now();
        let (_, records) = transfer(addr, query(RecordType::IXFR, Some(SERIAL))).await?;
        ixfr_times.push(started.elapsed());
        // New SOA, old SOA, new SOA, the added A, new SOA.
        if records != 5 {
            bail!("IXFR returned {records} records: not incremental");
        }
    }
    let _ = child.kill().await;

    axfr_times.sort();
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
    Ok(())
}

/// `VmHWM` of a process, in KiB.
fn vm_hwm(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM")
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

/// The zone with its SOA, two NS and `n` A records, in one transaction.
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
    for i in 0..n {
        let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        tx.create_recordset(&recordset(&zone, &format!("host-{i}.{ZONE}"), "A", &[ip]))
            .await?;
    }
    tx.commit().await?;
    Ok(zone)
}

/// One change as central commits it: a new recordset, the serial bump and SOA rewrite, and the
/// journal rows (old SOA out, new SOA in, the record in).
async fn change(storage: &SqlStorage, zone: &Zone) -> Result<()> {
    let next = SERIAL + 1;
    let mut tx = storage.begin().await?;
    let added = "192.0.2.77".to_owned();
    tx.create_recordset(&recordset(
        zone,
        &format!("new.{ZONE}"),
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
        prev_serial: SERIAL,
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
            row(0, JournalOp::Del, ZONE, "SOA", soa_data(SERIAL)),
            row(1, JournalOp::Add, ZONE, "SOA", soa_data(next)),
            row(2, JournalOp::Add, &format!("new.{ZONE}"), "A", added),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
        let m = Message::from_vec(&body)?;
        messages += 1;
        records += m.answers().len();
        soas += m
            .answers()
            .iter()
            .filter(|r| r.record_type() == RecordType::SOA)
            .count();
        if m.answers().is_empty() {
            bail!("empty or error response: {:?}", m.response_code());
        }
    }
    Ok((messages, records))
}
