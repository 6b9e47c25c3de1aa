//! An oslo.config-style INI file: typed getters that name the section and option on a bad value,
//! `$option` substitution from `[DEFAULT]`, and a record of what was read so that everything else
//! can be reported as unknown (a warning, never an error).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, Context as _, Result};
use ini::Ini;

/// A parsed configuration file.
pub(crate) struct ConfFile {
    ini: Ini,
    /// The directory of the file, where relative file options are looked up first.
    dir: Option<PathBuf>,
    read: RefCell<BTreeSet<(String, String)>>,
}

/// Where oslo.config's `find_file` looks after the config file's own directory.
const PROJECT_CONFIG_DIR: &str = "/etc/designate";

impl ConfFile {
    /// An empty configuration (every option at its default).
    pub(crate) fn empty() -> Self {
        Self {
            ini: Ini::new(),
            dir: None,
            read: RefCell::new(BTreeSet::new()),
        }
    }

    /// Loads `path`.
    pub(crate) fn load(path: &Path) -> Result<Self> {
        let ini = Ini::load_from_file_noescape(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Ok(Self {
            ini,
            dir: path.parent().map(Path::to_owned),
            read: RefCell::new(BTreeSet::new()),
        })
    }

    /// Parses INI text (tests).
    #[cfg(test)]
    pub(crate) fn parse(text: &str) -> Result<Self> {
        Ok(Self {
            ini: Ini::load_from_str_noescape(text)?,
            dir: None,
            read: RefCell::new(BTreeSet::new()),
        })
    }

    /// Parses INI text as if it were the file `path` (tests of relative file options).
    #[cfg(test)]
    pub(crate) fn parse_at(text: &str, path: &Path) -> Result<Self> {
        Ok(Self {
            dir: path.parent().map(Path::to_owned),
            ..Self::parse(text)?
        })
    }

    /// The file or directory a file option names, as oslo.config's `find_file` finds it: an
    /// absolute path as is; a relative one in the config file's directory, then in
    /// `/etc/designate`. `None` when nothing exists there.
    pub(crate) fn find_file(&self, name: &str) -> Option<PathBuf> {
        let name = Path::new(name);
        if name.is_absolute() {
            return name.exists().then(|| name.to_owned());
        }
        self.dir
            .iter()
            .map(PathBuf::as_path)
            .chain([Path::new(PROJECT_CONFIG_DIR)])
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.exists())
    }

    /// The raw string of `[section] option`, with `$name` / `${name}` replaced by `[DEFAULT]` values.
    /// Option names match with `-` and `_` interchangeable, as oslo.config does.
    pub(crate) fn get_str(&self, section: &str, option: &str) -> Option<String> {
        let props = self.ini.section(Some(section))?;
        let (key, value) = props
            .iter()
            .find(|(k, _)| k.replace('-', "_") == option.replace('-', "_"))?;
        self.read
            .borrow_mut()
            .insert((section.to_owned(), key.to_owned()));
        Some(self.substitute(value.trim()))
    }

    /// Every value of a repeated `[section] option` (oslo.config's MultiStrOpt), in file order,
    /// with `$name` substitution; empty when absent.
    pub(crate) fn get_all(&self, section: &str, option: &str) -> Vec<String> {
        let Some(props) = self.ini.section(Some(section)) else {
            return Vec::new();
        };
        let wanted = option.replace('-', "_");
        let mut out = Vec::new();
        for (key, value) in props.iter() {
            if key.replace('-', "_") == wanted {
                self.read
                    .borrow_mut()
                    .insert((section.to_owned(), key.to_owned()));
                out.push(self.substitute(value.trim()));
            }
        }
        out
    }

    fn substitute(&self, value: &str) -> String {
        let Some(defaults) = self.ini.section(Some("DEFAULT")) else {
            return value.to_owned();
        };
        let mut out = value.to_owned();
        for (k, v) in defaults.iter() {
            out = out
                .replace(&format!("${{{k}}}"), v)
                .replace(&format!("${k}"), v);
        }
        out
    }

    /// A typed option; `Ok(None)` when absent.
    pub(crate) fn get<T: FromStr>(&self, section: &str, option: &str) -> Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        self.get_str(section, option)
            .map(|raw| {
                raw.parse::<T>().map_err(|e| {
                    anyhow!("invalid value {raw:?} for option [{section}] {option}: {e}")
                })
            })
            .transpose()
    }

    /// A boolean option in oslo.config spellings (true/false, yes/no, on/off, 1/0).
    pub(crate) fn get_bool(&self, section: &str, option: &str) -> Result<Option<bool>> {
        self.get_str(section, option)
            .map(|raw| match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(true),
                "false" | "no" | "off" | "0" => Ok(false),
                _ => Err(anyhow!(
                    "invalid value {raw:?} for option [{section}] {option}: expected a boolean"
                )),
            })
            .transpose()
    }

    /// A duration given in (possibly fractional) seconds, never negative.
    pub(crate) fn get_secs(&self, section: &str, option: &str) -> Result<Option<Duration>> {
        match self.get::<f64>(section, option)? {
            Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(Duration::from_secs_f64(s))),
            Some(s) => Err(anyhow!(
                "invalid value {s} for option [{section}] {option}: expected seconds ≥ 0"
            )),
            None => Ok(None),
        }
    }

    /// A comma-separated list option.
    pub(crate) fn get_list(&self, section: &str, option: &str) -> Option<Vec<String>> {
        self.get_str(section, option).map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }

    /// Every `[section] option` present in the file but never read.
    pub(crate) fn unread(&self) -> Vec<(String, String)> {
        let read = self.read.borrow();
        let mut out = Vec::new();
        for (section, props) in self.ini.iter() {
            let Some(section) = section else { continue };
            for (key, _) in props.iter() {
                if !read.contains(&(section.to_owned(), key.to_owned())) {
                    out.push((section.to_owned(), key.to_owned()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_getters_name_section_and_option() {
        let conf =
            ConfFile::parse("[service:worker]\npoll_max_retries = lots\nnotify = maybe\n").unwrap();
        let err = conf
            .get::<u32>("service:worker", "poll_max_retries")
            .unwrap_err()
            .to_string();
        assert!(err.contains("[service:worker] poll_max_retries"), "{err}");
        let err = conf
            .get_bool("service:worker", "notify")
            .unwrap_err()
            .to_string();
        assert!(err.contains("[service:worker] notify"), "{err}");
    }

    #[test]
    fn substitution_dashes_and_unread() {
        let conf = ConfFile::parse(
            "[DEFAULT]\nstate_path = /var/lib/x\n[storage:sqlalchemy]\nconnection = sqlite:///$state_path/d.db\n\
             [service:worker]\nthreshold-percentage = 50\nbogus = 1\n",
        )
        .unwrap();
        assert_eq!(
            conf.get_str("storage:sqlalchemy", "connection").as_deref(),
            Some("sqlite:////var/lib/x/d.db")
        );
        assert_eq!(
            conf.get::<u8>("service:worker", "threshold_percentage")
                .unwrap(),
            Some(50)
        );
        let _ = conf.get_str("DEFAULT", "state_path");
        assert_eq!(
            conf.unread(),
            vec![("service:worker".to_owned(), "bogus".to_owned())]
        );
    }

    #[test]
    fn negative_seconds_rejected() {
        let conf = ConfFile::parse("[service:worker]\npoll_timeout = -1\n").unwrap();
        assert!(conf.get_secs("service:worker", "poll_timeout").is_err());
    }
}
