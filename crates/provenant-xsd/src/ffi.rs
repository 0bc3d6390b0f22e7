//! libxml2's XML Schema API, loaded with `dlopen` on first use.
//!
//! Only the nine functions the validator calls are bound. Their signatures and the `xmlError`
//! layout are the same in every libxml2 from 2.9 to 2.14 (2.12 made the error callback's
//! argument `const`, which does not change the ABI). All `unsafe` of the crate is here, behind
//! safe types: [`Schema`] (a compiled XSD) and its [`Schema::validate_file`].
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::{Mutex, OnceLock};

/// The sonames tried, in order: libxml2 2.14+ (`.so.16`), then 2.9–2.13 (`.so.2`).
#[cfg(not(target_os = "macos"))]
pub const DEFAULT_NAMES: &[&str] = &["libxml2.so.16", "libxml2.so.2"];
/// The sonames tried, in order (macOS ships libxml2 in the system).
#[cfg(target_os = "macos")]
pub const DEFAULT_NAMES: &[&str] = &["libxml2.2.dylib", "/usr/lib/libxml2.2.dylib"];

/// At most this many diagnostics are kept per validation; the rest are dropped (a huge invalid
/// document must not grow memory without bound). The first ones are the ones reported.
const MAX_DIAGNOSTICS: usize = 1000;

/// `xmlError` (include/libxml/xmlerror.h), unchanged from 2.9 to 2.14.
#[repr(C)]
struct XmlError {
    domain: c_int,
    code: c_int,
    message: *const c_char,
    level: c_int,
    file: *const c_char,
    line: c_int,
    str1: *const c_char,
    str2: *const c_char,
    str3: *const c_char,
    int1: c_int,
    int2: c_int,
    ctxt: *mut c_void,
    node: *mut c_void,
}

type ErrorFn = unsafe extern "C" fn(*mut c_void, *const XmlError);
type Ptr = *mut c_void;

/// The bound functions. Copied out of the library, which is never unloaded.
struct Api {
    init_parser: unsafe extern "C" fn(),
    new_parser_ctxt: unsafe extern "C" fn(*const c_char) -> Ptr,
    set_parser_errors: unsafe extern "C" fn(Ptr, Option<ErrorFn>, Ptr),
    parse: unsafe extern "C" fn(Ptr) -> Ptr,
    free_parser_ctxt: unsafe extern "C" fn(Ptr),
    free_schema: unsafe extern "C" fn(Ptr),
    new_valid_ctxt: unsafe extern "C" fn(Ptr) -> Ptr,
    set_valid_errors: unsafe extern "C" fn(Ptr, Option<ErrorFn>, Ptr),
    validate_file: unsafe extern "C" fn(Ptr, *const c_char, c_int) -> c_int,
    free_valid_ctxt: unsafe extern "C" fn(Ptr),
}

/// A loaded libxml2, kept for the life of the process.
pub struct LibXml2 {
    api: Api,
    /// Which file was loaded (for messages).
    pub name: String,
}

/// Libraries already loaded, by the name list they were loaded with (one entry in practice).
type Loaded = Mutex<Vec<(Vec<String>, &'static LibXml2)>>;

fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| Mutex::new(Vec::new()))
}

impl LibXml2 {
    /// Load the first of `names` that opens and has every function bound here. A failure is
    /// not cached (the next call tries again); a success is, and the library is never unloaded.
    pub fn load(names: &[&str]) -> Result<&'static LibXml2, String> {
        let key: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut cache = loaded().lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, lib)) = cache.iter().find(|(k, _)| *k == key) {
            return Ok(lib);
        }
        let mut tried = Vec::new();
        for name in names {
            match open(name) {
                Ok(lib) => {
                    let lib: &'static LibXml2 = Box::leak(Box::new(lib));
                    cache.push((key, lib));
                    return Ok(lib);
                }
                // dlerror names the file (and the missing symbol, if that is what failed).
                Err(e) => tried.push(e),
            }
        }
        Err(format!(
            "libxml2 could not be loaded ({}); install libxml2 (2.9 or later) to validate CycloneDX XML",
            tried.join("; ")
        ))
    }

    /// Compile the XSD at `path` (its `xs:import`s resolve beside it).
    pub fn compile(&'static self, path: &str) -> Result<Schema, Vec<Diagnostic>> {
        let c_path = CString::new(path).map_err(|_| {
            vec![Diagnostic::fatal(format!(
                "schema path {path:?} contains a NUL byte"
            ))]
        })?;
        let mut errors = Box::new(Collector::default());
        let api = &self.api;
        // SAFETY: the parser context is created, used and freed here; the collector outlives it
        // (it is freed after the context), and the callback only appends to it.
        let schema = unsafe {
            let parser = (api.new_parser_ctxt)(c_path.as_ptr());
            if parser.is_null() {
                return Err(vec![Diagnostic::fatal(format!(
                    "libxml2 could not create a schema parser for {path}"
                ))]);
            }
            (api.set_parser_errors)(
                parser,
                Some(collect),
                std::ptr::from_mut::<Collector>(&mut *errors).cast(),
            );
            let schema = (api.parse)(parser);
            (api.free_parser_ctxt)(parser);
            schema
        };
        if schema.is_null() {
            let mut found = errors.diagnostics;
            if found.is_empty() {
                found.push(Diagnostic::fatal(format!(
                    "libxml2 could not compile {path}"
                )));
            }
            return Err(found);
        }
        // SAFETY: `schema` is a live compiled schema, owned by the value built below if this
        // succeeds and freed here if it does not.
        let ctxt = unsafe { (api.new_valid_ctxt)(schema) };
        if ctxt.is_null() {
            // SAFETY: the schema is not referenced by anything else.
            unsafe { (api.free_schema)(schema) };
            return Err(vec![Diagnostic::fatal(
                "libxml2 could not create a validation context".to_owned(),
            )]);
        }
        let errors = Box::into_raw(Box::new(Collector::default()));
        // SAFETY: `errors` stays allocated until `Schema::drop`, after the context is freed.
        unsafe { (api.set_valid_errors)(ctxt, Some(collect), errors.cast()) };
        Ok(Schema {
            lib: self,
            schema,
            ctxt,
            errors,
        })
    }
}

fn open(name: &str) -> Result<LibXml2, String> {
    // SAFETY: loading libxml2 runs its initialisers, which have no preconditions; symbols are
    // bound with the C signatures of libxml2's public headers (see the module comment).
    unsafe {
        let lib = libloading::Library::new(name).map_err(|e| e.to_string())?;
        macro_rules! bind {
            ($sym:literal) => {
                *lib.get(concat!($sym, "\0").as_bytes())
                    .map_err(|e| e.to_string())?
            };
        }
        let api = Api {
            init_parser: bind!("xmlInitParser"),
            new_parser_ctxt: bind!("xmlSchemaNewParserCtxt"),
            set_parser_errors: bind!("xmlSchemaSetParserStructuredErrors"),
            parse: bind!("xmlSchemaParse"),
            free_parser_ctxt: bind!("xmlSchemaFreeParserCtxt"),
            free_schema: bind!("xmlSchemaFree"),
            new_valid_ctxt: bind!("xmlSchemaNewValidCtxt"),
            set_valid_errors: bind!("xmlSchemaSetValidStructuredErrors"),
            validate_file: bind!("xmlSchemaValidateFile"),
            free_valid_ctxt: bind!("xmlSchemaFreeValidCtxt"),
        };
        (api.init_parser)();
        // The library stays mapped for the life of the process: the function pointers above
        // point into it.
        std::mem::forget(lib);
        Ok(LibXml2 {
            api,
            name: name.to_owned(),
        })
    }
}

/// How severe a diagnostic is (libxml2's `xmlErrorLevel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `XML_ERR_WARNING`.
    Warning,
    /// `XML_ERR_ERROR`, `XML_ERR_FATAL`, or a level this code does not know.
    Error,
}

/// One libxml2 diagnostic.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Its level.
    pub level: Level,
    /// The line in the document (None: not given).
    pub line: Option<i32>,
    /// libxml2's message, trimmed.
    pub message: String,
}

impl Diagnostic {
    fn fatal(message: String) -> Self {
        Self {
            level: Level::Error,
            line: None,
            message,
        }
    }
}

#[derive(Default)]
struct Collector {
    diagnostics: Vec<Diagnostic>,
}

/// libxml2's structured-error callback: copies the diagnostic into the collector. Never panics
/// (a panic may not cross the C frame).
unsafe extern "C" fn collect(ctx: *mut c_void, error: *const XmlError) {
    if ctx.is_null() || error.is_null() {
        return;
    }
    // SAFETY: `ctx` is the collector registered with the context that reports, alive while
    // libxml2 runs; `error` is valid for the duration of the call (libxml2's contract).
    let (collector, error) = unsafe { (&mut *ctx.cast::<Collector>(), &*error) };
    if collector.diagnostics.len() >= MAX_DIAGNOSTICS {
        return;
    }
    let message = if error.message.is_null() {
        "invalid".to_owned()
    } else {
        // SAFETY: a non-null message is a NUL-terminated C string owned by libxml2.
        unsafe { CStr::from_ptr(error.message) }
            .to_string_lossy()
            .trim()
            .to_owned()
    };
    collector.diagnostics.push(Diagnostic {
        level: if error.level == 1 {
            Level::Warning
        } else {
            Level::Error
        },
        line: (error.line != 0).then_some(error.line),
        message,
    });
}

/// A compiled XSD with its validation context. Not `Send` (raw pointers): libxml2's schema
/// contexts are used from the thread that made them.
pub struct Schema {
    lib: &'static LibXml2,
    schema: Ptr,
    ctxt: Ptr,
    errors: *mut Collector,
}

impl Schema {
    /// Stream-validate the XML file at `path`. `Ok(())`: valid. `Err`: its diagnostics (never
    /// empty: a failure without one gets a synthetic diagnostic).
    pub fn validate_file(&mut self, path: &str) -> Result<(), Vec<Diagnostic>> {
        let c_path = CString::new(path).map_err(|_| {
            vec![Diagnostic::fatal(format!(
                "path {path:?} contains a NUL byte"
            ))]
        })?;
        // SAFETY: the context and collector are alive (owned by self); `&mut self` keeps the
        // context to one call at a time.
        let rc = unsafe { (self.lib.api.validate_file)(self.ctxt, c_path.as_ptr(), 0) };
        // SAFETY: libxml2 has returned; nothing else refers to the collector now.
        let mut found = std::mem::take(unsafe { &mut (*self.errors).diagnostics });
        if rc == 0 {
            return Ok(());
        }
        if found.is_empty() {
            found.push(Diagnostic::fatal(format!(
                "schema validation failed with status {rc} without a diagnostic"
            )));
        }
        Err(found)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        // SAFETY: each pointer is owned by self and freed once, the context before the schema
        // it uses and before the collector it reports to.
        unsafe {
            (self.lib.api.free_valid_ctxt)(self.ctxt);
            (self.lib.api.free_schema)(self.schema);
            drop(Box::from_raw(self.errors));
        }
    }
}
