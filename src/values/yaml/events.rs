//! libyaml 0.2.5's event parser (`unsafe-libyaml`, dtolnay's c2rust
//! translation of the C library), behind a safe iterator of owned events.
//!
//! The only `unsafe` of the reader is here: the C API's initialisation,
//! input, event and clean-up calls, and reading the C strings of events
//! and errors. The input is borrowed for the parser's whole life and never
//! written; every event is copied out and freed before the next call.

use std::ffi::CStr;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

/// A position: byte offset, 0-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mark {
    pub index: u64,
    pub line: u64,
    pub column: u64,
}

impl From<unsafe_libyaml::yaml_mark_t> for Mark {
    fn from(m: unsafe_libyaml::yaml_mark_t) -> Mark {
        Mark {
            index: m.index,
            line: m.line,
            column: m.column,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// One event, its data owned.
#[derive(Debug)]
pub struct Event {
    pub data: EventData,
    pub start_mark: Mark,
    pub end_mark: Mark,
}

#[derive(Debug)]
pub enum EventData {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias {
        anchor: String,
    },
    Scalar {
        anchor: Option<String>,
        tag: Option<String>,
        value: String,
        plain_implicit: bool,
        style: ScalarStyle,
    },
    SequenceStart {
        anchor: Option<String>,
        flow: bool,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
        flow: bool,
    },
    MappingEnd,
}

/// A scanner, parser or reader error, as libyaml words it.
#[derive(Debug)]
pub struct Error {
    problem: String,
    problem_mark: Option<Mark>,
    context: Option<String>,
    context_mark: Option<Mark>,
}

impl Error {
    pub fn problem(&self) -> &str {
        &self.problem
    }
    pub fn problem_mark(&self) -> Option<Mark> {
        self.problem_mark
    }
    pub fn context(&self) -> Option<&str> {
        self.context.as_deref()
    }
    pub fn context_mark(&self) -> Option<Mark> {
        self.context_mark
    }
}

/// libyaml's parser over a borrowed text.
pub struct Parser<'a> {
    raw: Box<unsafe_libyaml::yaml_parser_t>,
    failed: bool,
    _input: PhantomData<&'a [u8]>,
}

/// A C string as a Rust one (`None` for a null pointer).
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that outlives the call.
unsafe fn owned(p: *const u8) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller's contract.
    let s = unsafe { CStr::from_ptr(p.cast()) };
    Some(String::from_utf8_lossy(s.to_bytes()).into_owned())
}

impl<'a> Parser<'a> {
    pub fn new(text: &'a str) -> Parser<'a> {
        let mut raw: Box<MaybeUninit<unsafe_libyaml::yaml_parser_t>> =
            Box::new(MaybeUninit::uninit());
        // SAFETY: yaml_parser_initialize fills in the whole struct (it
        // zeroes it first); it fails only when it cannot allocate, which
        // Rust's allocator turns into an abort before it returns.
        let raw = unsafe {
            let ok = unsafe_libyaml::yaml_parser_initialize(raw.as_mut_ptr()).ok;
            assert!(ok, "libyaml could not allocate its parser");
            Box::from_raw(Box::into_raw(raw).cast::<unsafe_libyaml::yaml_parser_t>())
        };
        let mut parser = Parser {
            raw,
            failed: false,
            _input: PhantomData,
        };
        // SAFETY: the input outlives the parser ('a), libyaml only reads it.
        unsafe {
            unsafe_libyaml::yaml_parser_set_input_string(
                &mut *parser.raw,
                text.as_ptr(),
                text.len() as u64,
            );
        }
        parser
    }

    /// The next event. After an error or the end of the stream, the
    /// error or the end again.
    pub fn parse(&mut self) -> Result<Event, Error> {
        if self.failed {
            return Err(self.error());
        }
        let mut event = MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
        // SAFETY: `raw` is an initialised parser; on success libyaml has
        // written a whole event, which is read and then deleted here.
        unsafe {
            if unsafe_libyaml::yaml_parser_parse(&mut *self.raw, event.as_mut_ptr()).fail {
                self.failed = true;
                return Err(self.error());
            }
            let mut event = event.assume_init();
            let converted = convert(&event);
            unsafe_libyaml::yaml_event_delete(&mut event);
            Ok(converted)
        }
    }

    fn error(&self) -> Error {
        let raw = &*self.raw;
        // SAFETY: problem and context are null or static C strings.
        let (problem, context) = unsafe { (owned(raw.problem.cast()), owned(raw.context.cast())) };
        let with_marks = matches!(
            raw.error,
            unsafe_libyaml::YAML_SCANNER_ERROR
                | unsafe_libyaml::YAML_PARSER_ERROR
                | unsafe_libyaml::YAML_COMPOSER_ERROR
        );
        Error {
            problem: problem.unwrap_or_else(|| "unknown problem parsing YAML content".to_owned()),
            problem_mark: with_marks.then(|| raw.problem_mark.into()),
            context_mark: (with_marks && context.is_some()).then(|| raw.context_mark.into()),
            context,
        }
    }
}

/// Copies an event's data out of libyaml's memory.
///
/// # Safety
/// `event` is an event libyaml wrote and has not deleted.
unsafe fn convert(event: &unsafe_libyaml::yaml_event_t) -> Event {
    let data = match event.type_ {
        unsafe_libyaml::YAML_STREAM_START_EVENT => EventData::StreamStart,
        unsafe_libyaml::YAML_DOCUMENT_START_EVENT => EventData::DocumentStart,
        unsafe_libyaml::YAML_DOCUMENT_END_EVENT => EventData::DocumentEnd,
        // SAFETY (all arms): the union field read is the one the type names.
        unsafe_libyaml::YAML_ALIAS_EVENT => EventData::Alias {
            anchor: unsafe { owned(event.data.alias.anchor) }.unwrap_or_default(),
        },
        unsafe_libyaml::YAML_SCALAR_EVENT => {
            let s = unsafe { event.data.scalar };
            let value = if s.value.is_null() {
                String::new()
            } else {
                // SAFETY: libyaml gives the value's length (it may hold NUL).
                let bytes = unsafe { std::slice::from_raw_parts(s.value, s.length as usize) };
                // Valid UTF-8 from a valid text; the fast check first.
                match std::str::from_utf8(bytes) {
                    Ok(s) => s.to_owned(),
                    Err(_) => String::from_utf8_lossy(bytes).into_owned(),
                }
            };
            EventData::Scalar {
                anchor: unsafe { owned(s.anchor) },
                tag: unsafe { owned(s.tag) },
                value,
                plain_implicit: s.plain_implicit,
                style: match s.style {
                    unsafe_libyaml::YAML_SINGLE_QUOTED_SCALAR_STYLE => ScalarStyle::SingleQuoted,
                    unsafe_libyaml::YAML_DOUBLE_QUOTED_SCALAR_STYLE => ScalarStyle::DoubleQuoted,
                    unsafe_libyaml::YAML_LITERAL_SCALAR_STYLE => ScalarStyle::Literal,
                    unsafe_libyaml::YAML_FOLDED_SCALAR_STYLE => ScalarStyle::Folded,
                    _ => ScalarStyle::Plain,
                },
            }
        }
        unsafe_libyaml::YAML_SEQUENCE_START_EVENT => {
            let s = unsafe { event.data.sequence_start };
            EventData::SequenceStart {
                anchor: unsafe { owned(s.anchor) },
                flow: s.style == unsafe_libyaml::YAML_FLOW_SEQUENCE_STYLE,
            }
        }
        unsafe_libyaml::YAML_SEQUENCE_END_EVENT => EventData::SequenceEnd,
        unsafe_libyaml::YAML_MAPPING_START_EVENT => {
            let m = unsafe { event.data.mapping_start };
            EventData::MappingStart {
                anchor: unsafe { owned(m.anchor) },
                flow: m.style == unsafe_libyaml::YAML_FLOW_MAPPING_STYLE,
            }
        }
        unsafe_libyaml::YAML_MAPPING_END_EVENT => EventData::MappingEnd,
        _ => EventData::StreamEnd,
    };
    Event {
        data,
        start_mark: event.start_mark.into(),
        end_mark: event.end_mark.into(),
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: `raw` was initialised in `new` and is deleted once.
        unsafe { unsafe_libyaml::yaml_parser_delete(&mut *self.raw) };
    }
}
