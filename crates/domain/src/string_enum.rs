//! `string_enum!`: enums stored as stable string codes, with labels for people. Variants may carry
//! doc comments (modules that deny `missing_docs` need them).
//!
//! Two forms:
//! - `string_enum!(Name { ... })` derives serde, which writes the variant name (`"Pending"`);
//! - `string_enum!(@codes Name { ... })` writes and reads the stable code instead (`"pending"`),
//!   refusing anything else on input, for types whose JSON must match the database and CSV.

macro_rules! string_enum {
    (@codes $(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        string_enum!(@methods $name { $($variant = $code / $label),+ });
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }
        /// Reads exactly one of the codes (not a label, not another case).
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                $name::ALL.iter().copied().find(|v| v.code() == s).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown code {s:?}; expected one of: {}", $name::codes()))
                })
            }
        }
    };
    (@methods $name:ident { $($variant:ident = $code:literal / $label:literal),+ }) => {
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
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* $variant),+ }
        string_enum!(@methods $name { $($variant = $code / $label),+ });
    };
}
