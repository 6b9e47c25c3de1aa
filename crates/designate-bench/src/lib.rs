//! What the load tools share: waiting for a `designate all` they started.

use std::io::{BufRead, BufReader};
use std::process::Child;

use anyhow::{bail, Context, Result};

/// Waits until `child` (a `designate all` spawned with its stderr piped) logs that it is ready and
/// returns the API's address from that line. The rest of its log is drained on a thread of its
/// own, so the process never blocks on a full pipe.
pub fn api_when_ready(child: &mut Child) -> Result<String> {
    let stderr = child.stderr.take().context("stderr is not piped")?;
    let mut lines = BufReader::new(stderr).lines();
    let ready = loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("designate all ready") => break line,
            Some(_) => {}
            None => bail!("designate exited before it was ready"),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let start = ready.find("api=").context("no api= in the ready line")? + 4;
    Ok(ready[start..]
        .split_whitespace()
        .next()
        .context("no api address in the ready line")?
        .to_owned())
}
