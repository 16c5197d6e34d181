//! The documents of one movement (a flight or a convoy): pure functions from a
//! [`Manifest`] to bytes. No file, network or clock is touched; the caller stores,
//! serves and audits what comes out.
//!
//! | function | document | for |
//! | --- | --- | --- |
//! | [`csv()`] | every passenger and every field, one row each | the crisis team, in a spreadsheet |
//! | [`minimise`] + [`minimised_csv`] | names, nationality, document number, household size | an allied nation's liaison officer |
//! | [`pdf()`] | printable A4 list grouped by household, a QR code per household | the gate and the aircraft |
//! | [`paxlst()`] | UN/EDIFACT PAXLST D02B | the receiving border authority (API) |
//!
//! The input model ([`model`]) is the crate's own: the server maps its domain onto it.
//!
//! # CSV
//! UTF-8 with a byte order mark (so that Excel does not read Dari names as the local
//! code page), RFC 4180 quoting, CRLF line ends, a header row. Any cell starting with
//! `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so a hostile name cannot become a
//! spreadsheet formula. The native-script name is carried here and only here.
//!
//! # Minimised manifest
//! [`Minimised`] has no field but the household reference and size and, per person, the
//! Latin name ("Family, Given"), nationality and document number: no date of birth, sex,
//! native-script name, document kind, issuer or expiry, no QR payload and nothing about
//! the movement. What is not in the type cannot leak through its JSON or CSV.
//!
//! # PDF
//! Written by hand (PDF 1.4, compressed content streams, about 500 lines) rather than
//! through a PDF crate: the document needs two fonts, text and rectangles, and the
//! pagination rules are ours anyway. Every page repeats the header (movement, route,
//! departure, seats needed against capacity, over-capacity warning) and carries
//! "Page i of n". A household is kept on one page; only one longer than a whole page is
//! split, and its continuation is titled "(continued)". Table cells wrap rather than
//! being cut. QR codes (error correction M, about 30 mm) are vector rectangles.
//!
//! **Limitation:** only the 14 standard PDF fonts can be used without bundling a font
//! file, and those cover WinAnsi (Latin-1 and a few extras) only. Latin names are shown
//! as they are; characters outside WinAnsi are transliterated to ASCII (`ğ` → `g`,
//! Dari script → a rough Latin rendering) or, failing that, printed as `?`. The
//! native-script name (`full_name_native`) is therefore not printed at all; it is in the
//! CSV. Officers must work from the Latin names on paper.
//!
//! # PAXLST
//! See [`paxlst`](mod@paxlst) for the segments written. The interchange uses syntax
//! level A (`UNOA:4`): names are transliterated to upper-case ASCII and anything outside
//! the repertoire is dropped, so `Ḥāmid` becomes `HAMID` and Dari script a rough
//! transliteration; the border authority should match on document numbers. Separators in
//! data are released with `?`. Limits: flights only (the WCO/IATA/ICAO guide is for air
//! mode; a convoy is refused), one leg per message, both IATA airport codes and the
//! arrival time are required, times are written in UTC (the guide asks for airport local
//! time; the model carries no time zones), sex "other" or unknown is sent as `U`, and no
//! field is truncated to the directory's maximum length. Segments are not separated by
//! line breaks. Every refusal is a [`PaxlstError`] naming the field and the rule.

pub mod csv;
pub mod minimised;
pub mod model;
pub mod paxlst;
pub mod pdf;

pub use csv::csv;
pub use minimised::{Minimised, MinimisedHousehold, MinimisedPerson, minimise, minimised_csv};
pub use model::{
    DocumentKind, Manifest, ManifestHousehold, MovementInfo, MovementKind, Passenger, Sex,
    TravelDocument,
};
pub use paxlst::{PaxlstError, PaxlstHeader, paxlst};
pub use pdf::pdf;
