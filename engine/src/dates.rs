//! Calendar dates as they appear in TOML files (a TOML local date or a
//! `YYYY-MM-DD` string).

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// Deserializes a date from a TOML date or a `YYYY-MM-DD` string.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Toml(dt) => dt.to_string(),
        Raw::Text(s) => s,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|e| {
        serde::de::Error::custom(format!("expected a date YYYY-MM-DD, found `{text}`: {e}"))
    })
}

/// Deserializes an optional date.
pub fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    deserialize(d).map(Some)
}

/// Deserializes a list of dates (TOML dates or `YYYY-MM-DD` strings).
pub fn deserialize_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    struct One(#[serde(deserialize_with = "deserialize")] NaiveDate);
    Ok(Vec::<One>::deserialize(d)?
        .into_iter()
        .map(|o| o.0)
        .collect())
}
