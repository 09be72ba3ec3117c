//! Closed sets: the one way the domain defines a set of named values (a status, a kind, a role).
//!
//! Each set is written once with [`closed_set!`](crate::closed_set): every variant with its stable
//! wire name (what the database, the JSON API, forms and events hold) and its Chinese label
//! (what people read). The macro gives the rest, so no other layer lists the set again:
//! - `ALL`, `as_str()` (the wire name), `parse()` / `FromStr` / `TryFrom<String>`, `label()`,
//!   `from_label()`;
//! - serde as the wire name, so events, documents and API bodies keep it;
//! - sqlx decoding through `#[sqlx(try_from = "String")]` on a row's field (binding with
//!   `as_str()`), so the store needs nothing more and the domain needs no SQL;
//! - `utoipa::ToSchema` as a string enum of the wire names, behind this crate's `openapi`
//!   feature (the web crate turns it on): the schema is plain data, the domain stays free of web
//!   code, and the domain's own builds and tests do not compile utoipa at all.
//!
//! Wire names are written out, never derived from the Rust names, so renaming a variant cannot
//! change what is stored.

use std::marker::PhantomData;

pub use crate::error::UnknownVariant;

/// What every closed set offers, for code that works over any of them (a `<select>` of
/// options, an OpenAPI schema, a test that every label is unique).
pub trait ClosedSet: Copy + Eq + std::fmt::Debug + 'static {
    /// The type's name, e.g. `CaseStatus`.
    const NAME: &'static str;
    /// Every wire name, in declaration order.
    const WIRE: &'static [&'static str];
    /// Every value, in declaration order.
    fn all() -> &'static [Self];
    /// The stable wire name.
    fn wire(self) -> &'static str;
    /// The Chinese label.
    fn zh(self) -> &'static str;
    /// The value of a wire name.
    fn from_wire(s: &str) -> Option<Self>;
}

/// Defines a closed set. Each variant gives its wire name and its Chinese label:
///
/// ```
/// tongban_domain::closed_set! {
///     /// Whether a light is lit.
///     pub enum Lamp {
///         /// Lit.
///         On = "on" => "亮",
///         Off = "off" => "灭",
///     }
/// }
/// assert_eq!(Lamp::parse("on"), Some(Lamp::On));
/// assert_eq!(Lamp::Off.label(), "灭");
/// assert_eq!(Lamp::ALL.len(), 2);
/// ```
///
/// The enum derives `Debug, Clone, Copy, PartialEq, Eq, Hash`; add more with attributes before
/// `pub enum` (e.g. `#[derive(PartialOrd, Ord)]`). Use it only inside this crate: the
/// `openapi` schema is compiled by the feature of the crate that expands the macro.
#[macro_export]
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal => $label:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($wire),+].len()] = [$($name::$variant),+];

            /// The stable wire name: what the database, the API and events hold.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }

            /// The Chinese label people read.
            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// The value of a wire name.
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($wire => Some($name::$variant),)+ _ => None }
            }

            /// The value of a Chinese label (workbooks and imports show labels).
            pub fn from_label(s: &str) -> Option<$name> {
                match s { $($label => Some($name::$variant),)+ _ => None }
            }
        }

        impl $crate::vocab::ClosedSet for $name {
            const NAME: &'static str = stringify!($name);
            const WIRE: &'static [&'static str] = &[$($wire),+];
            fn all() -> &'static [Self] {
                &$name::ALL
            }
            fn wire(self) -> &'static str {
                self.as_str()
            }
            fn zh(self) -> &'static str {
                self.label()
            }
            fn from_wire(s: &str) -> Option<Self> {
                $name::parse(s)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocab::UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or_else(|| $crate::vocab::UnknownVariant(s.to_string()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::vocab::UnknownVariant;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s).ok_or($crate::vocab::UnknownVariant(s))
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.as_str()
            }
        }

        impl $crate::vocab::__serde::Serialize for $name {
            fn serialize<S: $crate::vocab::__serde::Serializer>(
                &self,
                s: S,
            ) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::vocab::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::vocab::__serde::Deserializer<'de>>(
                d: D,
            ) -> Result<Self, D::Error> {
                $crate::vocab::deserialize(d)
            }
        }

        #[cfg(feature = "openapi")]
        impl $crate::vocab::__utoipa::PartialSchema for $name {
            fn schema() -> $crate::vocab::__utoipa::openapi::RefOr<
                $crate::vocab::__utoipa::openapi::schema::Schema,
            > {
                $crate::vocab::schema::<$name>()
            }
        }

        #[cfg(feature = "openapi")]
        impl $crate::vocab::__utoipa::ToSchema for $name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Owned($crate::vocab::schema_name(
                    module_path!(),
                    stringify!($name),
                ))
            }
        }
    };
}

#[doc(hidden)]
pub use serde as __serde;
#[cfg(feature = "openapi")]
#[doc(hidden)]
pub use utoipa as __utoipa;

/// A closed set's name in the OpenAPI document: its module's name in front (`CaseChannel`,
/// `HotlineChannel`, `RatingLevel`, `RegionLevel`), since several modules have a `Channel` or
/// a `Level` and the document keeps one schema per name: without it the hotline's tickets were
/// described with the disclosure requests' channels.
#[doc(hidden)]
pub fn schema_name(module: &str, name: &str) -> String {
    let Some(first) = module.split("::").nth(1) else {
        return name.to_string();
    };
    let mut prefix: String = first
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    if name.starts_with(&prefix) {
        prefix.clear();
    }
    prefix + name
}

/// Deserializes a closed set from its wire name, naming the expected ones when it is not.
#[doc(hidden)]
pub fn deserialize<'de, T: ClosedSet, D: serde::Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    struct Wire<T>(PhantomData<T>);
    impl<T: ClosedSet> serde::de::Visitor<'_> for Wire<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "one of {:?}", T::WIRE)
        }
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
            T::from_wire(s).ok_or_else(|| E::unknown_variant(s, T::WIRE))
        }
    }
    d.deserialize_str(Wire(PhantomData))
}

/// The OpenAPI schema of a closed set: a string enum of its wire names, each label in the
/// description.
#[cfg(feature = "openapi")]
#[doc(hidden)]
pub fn schema<T: ClosedSet>() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let described: Vec<String> = T::all()
        .iter()
        .map(|v| format!("`{}` {}", v.wire(), v.zh()))
        .collect();
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(T::WIRE.iter().copied()))
        .description(Some(described.join("; ")))
        .into()
}

#[cfg(test)]
mod tests {
    crate::closed_set! {
        #[derive(PartialOrd, Ord)]
        enum Lamp {
            On = "on" => "亮",
            /// Not lit.
            Off = "off_now" => "灭",
        }
    }

    #[test]
    fn one_definition_gives_every_view() {
        assert_eq!(Lamp::ALL, [Lamp::On, Lamp::Off]);
        assert_eq!(Lamp::Off.as_str(), "off_now");
        assert_eq!(Lamp::parse("off_now"), Some(Lamp::Off));
        assert_eq!(Lamp::parse("Off"), None);
        assert_eq!(Lamp::from_label("亮"), Some(Lamp::On));
        assert_eq!("on".parse::<Lamp>(), Ok(Lamp::On));
        assert_eq!(
            Lamp::try_from("dim".to_string()),
            Err(super::UnknownVariant("dim".into()))
        );
        assert!(Lamp::On < Lamp::Off);
    }

    #[test]
    fn serde_speaks_the_wire_name() {
        assert_eq!(serde_json::to_string(&Lamp::Off).unwrap(), "\"off_now\"");
        assert_eq!(
            serde_json::from_str::<Lamp>("\"off_now\"").unwrap(),
            Lamp::Off
        );
        let owned: Lamp = serde_json::from_value(serde_json::json!("on")).unwrap();
        assert_eq!(owned, Lamp::On);
        let err = serde_json::from_str::<Lamp>("\"dim\"").unwrap_err();
        assert!(err.to_string().contains("off_now"), "{err}");
        let keyed: std::collections::BTreeMap<Lamp, u8> =
            serde_json::from_str(r#"{"on":1,"off_now":2}"#).unwrap();
        assert_eq!(keyed[&Lamp::Off], 2);
    }
}
