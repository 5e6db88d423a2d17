//! `#[derive(Params)]` for cxaudit evaluators; use it through
//! `cxaudit_plugin_sdk::Params`, whose documentation describes the
//! attributes.
//!
//! The derive implements `cxaudit_plugin_sdk::Params` for a struct with named
//! fields: one `ParamSpec` per field, in field order, built by the field
//! type's `ParamType` impl from `#[param(default = ...)]`, then narrowed by
//! `min`, `max`, `values` and `target_of`, and described by
//! `#[param(description = ...)]`, else by the type's own description, else by
//! the field's doc comment.

use proc_macro::TokenStream;
use proc_macro2::{TokenStream as TokenStream2, TokenTree};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DeriveInput, Expr, ExprLit, ExprUnary, Fields, Lit, LitFloat, Meta, UnOp,
    parse_macro_input,
};

/// Derives `cxaudit_plugin_sdk::Params`: the manifest's parameter specs of a
/// struct with named fields (see the SDK's `Params` for the attributes).
#[proc_macro_derive(Params, attributes(param))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The keys `#[param(...)]` takes.
const KEYS: &str = "default, min, max, values, target_of, description, spec";

/// Serde attributes that would make the parameter's name in the pack differ
/// from the field's, or the struct read fields the specs do not declare.
const SERDE_RENAMES: [&str; 6] = [
    "rename",
    "rename_all",
    "alias",
    "flatten",
    "skip",
    "skip_deserializing",
];

/// One field's `#[param(...)]` attributes and doc comment.
#[derive(Default)]
struct ParamAttrs {
    default: Option<Expr>,
    min: Option<Expr>,
    max: Option<Expr>,
    values: Option<Expr>,
    target_of: Option<Expr>,
    description: Option<Expr>,
    spec: Option<Expr>,
}

/// The `impl Params` of `input`, or every error found, each at its span.
fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => &named.named,
            _ => {
                return Err(syn::Error::new(
                    input.ident.span(),
                    "`#[derive(Params)]` needs a struct with named fields: each field is one parameter",
                ));
            }
        },
        _ => {
            return Err(syn::Error::new(
                input.ident.span(),
                "`#[derive(Params)]` needs a struct with named fields: each field is one parameter",
            ));
        }
    };
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    if let Err(e) = refuse_serde_renames(&input.attrs) {
        push(e);
    }
    let mut specs = Vec::new();
    for field in fields {
        match field_spec(field) {
            Ok(spec) => specs.push(spec),
            Err(e) => push(e),
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::cxaudit_plugin_sdk::Params for #name #ty_generics #where_clause {
            fn specs() -> ::std::vec::Vec<::cxaudit_plugin_sdk::ParamSpec> {
                ::std::vec![#(#specs),*]
            }
        }
    })
}

/// The expression building one field's `ParamSpec`.
fn field_spec(field: &syn::Field) -> syn::Result<TokenStream2> {
    let ident = field
        .ident
        .as_ref()
        .ok_or_else(|| syn::Error::new(field.span(), "a parameter field needs a name"))?;
    let name = ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
    refuse_serde_renames(&field.attrs)?;
    let attrs = param_attrs(&field.attrs)?;
    let doc = doc_comment(&field.attrs)?;
    let ty = &field.ty;
    let base = match (&attrs.spec, &attrs.default) {
        (Some(spec), None) => quote_spanned! {spec.span()=>
            {
                let build: fn(&str) -> ::cxaudit_plugin_sdk::ParamSpec = #spec;
                build(#name)
            }
        },
        (None, Some(default)) => quote_spanned! {ty.span()=>
            <#ty as ::cxaudit_plugin_sdk::params::ParamType>::spec(#name, #default)
        },
        (Some(spec), Some(_)) => {
            return Err(syn::Error::new(
                spec.span(),
                format!(
                    "parameter `{name}`: `spec` builds the whole spec, default included; \
                     drop `default` or `spec`"
                ),
            ));
        }
        (None, None) => {
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "parameter `{name}` has no default: add `#[param(default = ...)]` \
                     (the value used when the pack sets none)"
                ),
            ));
        }
    };
    let mut chain = Vec::new();
    if let Some(min) = &attrs.min {
        let min = as_float(min);
        chain.push(quote! { .min(#min) });
    }
    if let Some(max) = &attrs.max {
        let max = as_float(max);
        chain.push(quote! { .max(#max) });
    }
    if let Some(values) = &attrs.values {
        chain.push(quote! { .one_of(&#values) });
    }
    if let Some(kpi) = &attrs.target_of {
        chain.push(quote! { .target_of(#kpi) });
    }
    let describe = match (&attrs.description, doc) {
        (Some(text), _) => quote! {
            spec.description = ::std::string::String::from(#text);
        },
        (None, Some(doc)) => quote! {
            if spec.description.is_empty() {
                spec.description = ::std::string::String::from(#doc);
            }
        },
        (None, None) => quote! {},
    };
    Ok(quote! {
        {
            #[allow(unused_mut)]
            let mut spec = #base #(#chain)*;
            #describe
            spec
        }
    })
}

/// The `#[param(...)]` attributes of a field; an unknown or repeated key is
/// an error at its span.
fn param_attrs(attrs: &[Attribute]) -> syn::Result<ParamAttrs> {
    let mut out = ParamAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("param")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let slot = match key.as_str() {
                "default" => &mut out.default,
                "min" => &mut out.min,
                "max" => &mut out.max,
                "values" => &mut out.values,
                "target_of" => &mut out.target_of,
                "description" => &mut out.description,
                "spec" => &mut out.spec,
                _ => {
                    return Err(
                        meta.error(format!("unknown `param` attribute: expected one of {KEYS}"))
                    );
                }
            };
            if slot.is_some() {
                return Err(meta.error(format!("`{key}` is given twice")));
            }
            let value = meta.value().map_err(|_| {
                meta.error(format!("`{key}` takes a value: `#[param({key} = ...)]`"))
            })?;
            *slot = Some(value.parse()?);
            Ok(())
        })?;
    }
    Ok(out)
}

/// The field's doc comment: each line trimmed, the non-empty lines joined
/// with one space; `None` when it has none.
fn doc_comment(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let Meta::NameValue(nv) = &attr.meta else {
            return Err(syn::Error::new(attr.span(), "expected `#[doc = \"...\"]`"));
        };
        match &nv.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => lines.extend(
                s.value()
                    .lines()
                    .map(|l| l.trim().to_owned())
                    .filter(|l| !l.is_empty()),
            ),
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "a parameter's doc comment becomes its description and must be literal text; \
                     use `#[param(description = ...)]` for another expression",
                ));
            }
        }
    }
    Ok((!lines.is_empty()).then(|| lines.join(" ")))
}

/// Refuses the serde attributes that would make the names the pack uses
/// differ from the declared ones.
fn refuse_serde_renames(attrs: &[Attribute]) -> syn::Result<()> {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let Meta::List(list) = &attr.meta else {
            continue;
        };
        for token in list.tokens.clone() {
            if let TokenTree::Ident(ident) = token
                && SERDE_RENAMES.contains(&ident.to_string().as_str())
            {
                return Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "`#[serde({ident})]` is not supported with `#[derive(Params)]`: each \
                         field is read under its own name, the parameter's"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// `min` and `max` are `f64`: an integer literal (`min = 0`, `max = -1`) is
/// written as the same float literal; any other expression is kept.
fn as_float(expr: &Expr) -> TokenStream2 {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) if int.suffix().is_empty() => {
            let float = LitFloat::new(&format!("{}.0", int.base10_digits()), int.span());
            quote! { #float }
        }
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr: inner,
            ..
        }) => {
            let inner = as_float(inner);
            quote! { -#inner }
        }
        other => quote! { #other },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn error_of(input: DeriveInput) -> String {
        match expand(&input) {
            Ok(tokens) => panic!("expected an error, got {tokens}"),
            Err(e) => e
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }

    #[test]
    fn a_field_without_a_default_is_refused_naming_it() {
        let e = error_of(parse_quote! {
            struct P {
                #[param(min = 0.0)]
                limit: f64,
            }
        });
        assert_eq!(
            e,
            "parameter `limit` has no default: add `#[param(default = ...)]` \
             (the value used when the pack sets none)"
        );
    }

    #[test]
    fn unknown_repeated_and_valueless_keys_are_refused() {
        let e = error_of(parse_quote! {
            struct P { #[param(default = 1.0, minimum = 0.0)] a: f64 }
        });
        assert_eq!(
            e,
            "unknown `param` attribute: expected one of default, min, max, values, \
             target_of, description, spec"
        );
        let e = error_of(parse_quote! {
            struct P { #[param(default = 1.0)] #[param(default = 2.0)] a: f64 }
        });
        assert_eq!(e, "`default` is given twice");
        let e = error_of(parse_quote! {
            struct P { #[param(default)] a: f64 }
        });
        assert_eq!(e, "`default` takes a value: `#[param(default = ...)]`");
        let e = error_of(parse_quote! {
            struct P { #[param(default = )] a: f64 }
        });
        assert!(e.starts_with("unexpected end of input"), "{e}");
    }

    #[test]
    fn every_bad_field_is_reported_not_only_the_first() {
        let e = error_of(parse_quote! {
            struct P { a: f64, #[param(default = 1.0, spec = |n| x(n))] b: f64 }
        });
        assert_eq!(
            e,
            "parameter `a` has no default: add `#[param(default = ...)]` (the value used when \
             the pack sets none) | parameter `b`: `spec` builds the whole spec, default \
             included; drop `default` or `spec`"
        );
    }

    #[test]
    fn only_structs_with_named_fields_derive() {
        for input in [
            parse_quote! { struct P(f64); },
            parse_quote! { enum P { A } },
            parse_quote! { struct P; },
        ] {
            assert_eq!(
                error_of(input),
                "`#[derive(Params)]` needs a struct with named fields: each field is one parameter"
            );
        }
    }

    #[test]
    fn serde_renames_are_refused_on_fields_and_the_struct() {
        let e = error_of(parse_quote! {
            struct P { #[serde(rename = "b")] #[param(default = 1.0)] a: f64 }
        });
        assert!(e.starts_with("`#[serde(rename)]` is not supported"), "{e}");
        let e = error_of(parse_quote! {
            #[serde(crate = "x", rename_all = "camelCase")]
            struct P { #[param(default = 1.0)] a: f64 }
        });
        assert!(
            e.starts_with("`#[serde(rename_all)]` is not supported"),
            "{e}"
        );
        // Other serde attributes are fine.
        let ok: DeriveInput = parse_quote! {
            #[serde(crate = "cxaudit_plugin_sdk::serde", deny_unknown_fields)]
            struct P { #[serde(default)] #[param(default = 1.0)] a: f64 }
        };
        assert!(expand(&ok).is_ok());
    }

    #[test]
    fn doc_lines_are_trimmed_and_joined_with_one_space() {
        let attrs: Vec<Attribute> = vec![
            parse_quote!(#[doc = " the longest wait,"]),
            parse_quote!(#[doc = ""]),
            parse_quote!(#[doc = "   in seconds  "]),
        ];
        assert_eq!(
            doc_comment(&attrs).unwrap().as_deref(),
            Some("the longest wait, in seconds")
        );
        assert_eq!(doc_comment(&[]).unwrap(), None);
        let computed: Vec<Attribute> = vec![parse_quote!(#[doc = include_str!("x")])];
        assert!(
            doc_comment(&computed)
                .unwrap_err()
                .to_string()
                .contains("must be literal text")
        );
    }

    #[test]
    fn the_spec_is_built_from_the_type_then_narrowed_and_described() {
        let input: DeriveInput = parse_quote! {
            struct P {
                /// share to reach
                #[param(default = 0.8, min = 0, max = 1, target_of = "k")]
                r#target: f64,
            }
        };
        let out = expand(&input).unwrap().to_string();
        for part in [
            "impl :: cxaudit_plugin_sdk :: Params for P",
            "< f64 as :: cxaudit_plugin_sdk :: params :: ParamType > :: spec (\"target\" , 0.8)",
            ". min (0.0) . max (1.0) . target_of (\"k\")",
            "if spec . description . is_empty ()",
            "String :: from (\"share to reach\")",
        ] {
            assert!(out.contains(part), "{part} not in {out}");
        }
    }

    #[test]
    fn integer_bounds_become_floats_and_others_are_kept() {
        assert_eq!(as_float(&parse_quote!(3)).to_string(), "3.0");
        assert_eq!(as_float(&parse_quote!(-1)).to_string(), "- 1.0");
        assert_eq!(as_float(&parse_quote!(2u8)).to_string(), "2u8");
        assert_eq!(as_float(&parse_quote!(LIMIT)).to_string(), "LIMIT");
    }
}
