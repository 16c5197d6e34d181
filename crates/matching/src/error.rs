use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("column mapping {0:?} is not of the form column=field")]
    BadMapping(String),
    #[error("unknown field {0:?}")]
    UnknownField(String),
    #[error("the id column {0:?} is not in the header")]
    MissingIdColumn(String),
    #[error("row {row}: {message}")]
    BadRow { row: usize, message: String },
    #[error("record id {0:?} appears twice")]
    DuplicateId(String),
    #[error("no column maps to a field the matcher knows")]
    NoFields,
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}
