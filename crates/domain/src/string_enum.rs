//! `string_enum!`: enums stored as stable string codes, with labels for people. Variants may carry
//! doc comments (modules that deny `missing_docs` need them).

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code stored in the database and used in the API and CSV.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            /// The label shown to people.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            /// Reads a stored code or a label, ignoring case and surrounding spaces.
            pub fn from_code(s: &str) -> Option<Self> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(s) || v.label().eq_ignore_ascii_case(s))
            }
            /// All codes, comma-separated, for error messages that list what is accepted.
            pub fn codes() -> String { $name::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ") }
        }
    };
}
