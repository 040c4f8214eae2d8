//! Reading the head-office API's query strings and writing its answers:
//! every parameter is checked here, and a bad one is a 422 naming it (an
//! unknown one too, so a typo is not silently ignored). Lists answer
//! `{data, meta}` with the desk's own page types; reports also as CSV.
//! Batch writes bind their rows a column at a time (`column`).

use std::collections::HashMap;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Json, extract::RawQuery};
use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use loket::kernel::types::Paging;

use crate::error::{HqError, Result};

/// One column of `rows` as an array, for `UNNEST($n::type[])`: how a batch
/// is written in one statement instead of one per row.
pub fn column<'a, T, U>(rows: &'a [T], value: impl Fn(&'a T) -> U) -> Vec<U> {
    rows.iter().map(value).collect()
}

/// The parameters of one request, checked against what the route takes.
pub struct Params(HashMap<String, String>);

impl Params {
    /// Reads the query string; a parameter the route does not take, or one
    /// given twice, is an error naming it.
    pub fn parse(RawQuery(raw): RawQuery, allowed: &[&str]) -> Result<Params> {
        let mut map = HashMap::new();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
            .map_err(|e| HqError::BadRequest(format!("the query string cannot be read: {e}")))?;
        for (name, value) in pairs {
            if !allowed.contains(&name.as_str()) {
                return Err(HqError::validation(
                    name,
                    format!(
                        "is not a parameter here (these are: {})",
                        allowed.join(", ")
                    ),
                ));
            }
            if map.insert(name.clone(), value).is_some() {
                return Err(HqError::validation(name, "is given more than once"));
            }
        }
        Ok(Params(map))
    }

    /// The value of `name`, trimmed; empty is absent.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>> {
        self.text(name)
            .map(|v| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| HqError::validation(name, "must be a date written YYYY-MM-DD"))
            })
            .transpose()
    }

    pub fn uuid(&self, name: &str) -> Result<Option<Uuid>> {
        self.text(name)
            .map(|v| {
                Uuid::parse_str(v).map_err(|_| HqError::validation(name, "must be a branch id"))
            })
            .transpose()
    }

    /// One of `allowed` (the desk's own vocabulary).
    pub fn one_of(&self, name: &str, allowed: &[&'static str]) -> Result<Option<&'static str>> {
        self.text(name)
            .map(|v| {
                allowed.iter().copied().find(|a| *a == v).ok_or_else(|| {
                    HqError::validation(name, format!("must be one of {}", allowed.join(", ")))
                })
            })
            .transpose()
    }

    fn number(&self, name: &str) -> Result<Option<u32>> {
        self.text(name)
            .map(|v| {
                v.parse::<u32>()
                    .map_err(|_| HqError::validation(name, "must be a whole number"))
            })
            .transpose()
    }

    /// `page` and `page_size` by the desk's rules (1 and 50 by default, at
    /// most 200 a page).
    pub fn paging(&self) -> Result<Paging> {
        Ok(Paging::new(
            self.number("page")?,
            self.number("page_size")?,
        )?)
    }

    /// `from` and `to` (inclusive booking dates); `to` before `from` is an error.
    pub fn date_range(&self) -> Result<DateRange> {
        let range = DateRange {
            from: self.date("from")?,
            to: self.date("to")?,
        };
        if let (Some(from), Some(to)) = (range.from, range.to)
            && to < from
        {
            return Err(HqError::validation("to", "must not be before from"));
        }
        Ok(range)
    }

    /// `format=json` (the default) or `format=csv`.
    pub fn format(&self) -> Result<Format> {
        match self.one_of("format", &["json", "csv"])? {
            Some("csv") => Ok(Format::Csv),
            _ => Ok(Format::Json),
        }
    }
}

/// Inclusive booking dates, as the ISO text the rows carry.
#[derive(Clone, Copy, Debug, Default)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    pub fn from_text(&self) -> Option<String> {
        self.from.map(|d| d.format("%Y-%m-%d").to_string())
    }
    pub fn to_text(&self) -> Option<String> {
        self.to.map(|d| d.format("%Y-%m-%d").to_string())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// `{data, meta}` for one page of a list.
pub fn page<T: Serialize>(paging: &Paging, data: Vec<T>, total: i64) -> Response {
    Json(paging.page_of(data, total)).into_response()
}

/// A report row: its CSV header, the names its fields serialise as, so an
/// empty report still has its header line.
pub trait CsvRow: Serialize {
    const HEADER: &'static [&'static str];
}

/// A page's `count(*) OVER () AS total`: the rows matching in all, 0 for an
/// empty page.
pub fn total_of(rows: &[sqlx::postgres::PgRow]) -> Result<i64> {
    use sqlx::Row as _;
    match rows.first() {
        Some(r) => Ok(r.try_get("total")?),
        None => Ok(0),
    }
}

/// A report: every row as CSV (a header line, then one line per row), or
/// one page of rows as `{data, meta}`.
pub fn report<T: CsvRow>(
    name: &str,
    format: Format,
    paging: &Paging,
    rows: Vec<T>,
) -> Result<Response> {
    match format {
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::new());
            writer
                .write_record(T::HEADER)
                .map_err(|e| HqError::Internal(format!("writing CSV: {e}")))?;
            for row in &rows {
                writer
                    .serialize(row)
                    .map_err(|e| HqError::Internal(format!("writing CSV: {e}")))?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| HqError::Internal(format!("writing CSV: {e}")))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.csv\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        Format::Json => {
            let total = rows.len() as i64;
            let data: Vec<T> = rows
                .into_iter()
                .skip(paging.offset() as usize)
                .take(paging.limit() as usize)
                .collect();
            Ok(page(paging, data, total))
        }
    }
}
