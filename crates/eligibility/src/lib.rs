//! Schemes' eligibility, family and priority rules as data.
