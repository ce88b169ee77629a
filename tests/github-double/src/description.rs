//! GitHub's published OpenAPI description of the operations the double serves (an extract
//! embedded at build time), compiled into route matchers and schema validators once per process.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jsonschema::{Draft, Registry, Validator};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::dialect::{COMPONENTS_URI, to_json_schema};

const EXTRACT: &str = include_str!("../openapi/api.github.com.extract.json");

/// Statuses GitHub may answer to any operation, with its basic-error body, whether or not the
/// description lists them for that operation.
///
/// 404 is among them because the description leaves it out of operations that do answer it
/// (`issues/list-events` on an issue that does not exist, for one).
const UNDESCRIBED_ERROR_STATUSES: [u16; 5] = [401, 403, 404, 429, 500];

/// The compiled description.
pub(crate) struct Description {
    document: Value,
    operations: Vec<Operation>,
    basic_error: Validator,
}

/// One operation: where it lives, what it accepts and what it may answer.
pub(crate) struct Operation {
    pub id: String,
    pub method: String,
    /// Where GitHub documents the operation; error bodies point there as GitHub's do.
    pub documentation_url: String,
    segments: Vec<Segment>,
    parameters: Vec<Parameter>,
    body: Option<RequestBody>,
    /// Per described status, the validator of its JSON body (`None`: the status has no body).
    responses: BTreeMap<u16, Option<Validator>>,
    /// Per described status, the response object (with its examples).
    response_objects: BTreeMap<u16, Value>,
}

enum Segment {
    Literal(String),
    /// A path parameter; `multi_segment` ones (`x-multi-segment` in the description, such as a
    /// file path or `heads/a/b`) span one or more segments.
    Parameter { name: String, multi_segment: bool },
}

#[derive(PartialEq)]
enum Location {
    Path,
    Query,
}

struct Parameter {
    name: String,
    location: Location,
    required: bool,
    /// The schema's `type`, which says how the string form of the value is read.
    kind: Option<String>,
    validator: Validator,
}

struct RequestBody {
    required: bool,
    validator: Validator,
}

/// A request matched to an operation, with its path parameters (percent-decoded).
pub(crate) struct Route<'d> {
    pub operation: &'d Operation,
    pub path_parameters: BTreeMap<String, String>,
}

/// What checking a request against its operation found.
pub(crate) struct CheckedRequest {
    /// Every way the request departs from the description.
    pub problems: Vec<String>,
    /// The body as JSON, where there was one and it parsed.
    pub body: Option<Value>,
    /// The body was not JSON at all (GitHub answers 400 to that, not 422).
    pub unparsable_body: bool,
}

impl Description {
    /// The description, compiled on first use.
    pub(crate) fn get() -> &'static Description {
        static DESCRIPTION: OnceLock<Description> = OnceLock::new();
        DESCRIPTION.get_or_init(Description::compile)
    }

    fn compile() -> Description {
        let document: Value = serde_json::from_str(EXTRACT).expect("the embedded extract is JSON");
        let schemas = document["components"]["schemas"]
            .as_object()
            .expect("the extract has component schemas")
            .iter()
            .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
            .collect::<Map<_, _>>();
        let components = serde_json::json!({ "components": { "schemas": schemas } });
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(COMPONENTS_URI, &components)
            .and_then(|builder| builder.prepare())
            .expect("the extract's components register");
        let compiler = Compiler { registry: &registry, document: &document };

        let mut operations = Vec::new();
        for (path, item) in document["paths"].as_object().expect("the extract has paths") {
            for (method, operation) in item.as_object().expect("a path item is an object") {
                if method == "parameters" {
                    continue;
                }
                operations.push(compiler.operation(path, method, operation));
            }
        }
        let basic_error = compiler.validator(&serde_json::json!({ "$ref": "#/components/schemas/basic-error" }));
        Description { document, operations, basic_error }
    }

    /// The operation `method path` is, or `None` where the description has none.
    pub(crate) fn route(&self, method: &str, path: &str) -> Option<Route<'_>> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.operations.iter().filter(|operation| operation.method == method).find_map(|operation| {
            let mut path_parameters = BTreeMap::new();
            match_segments(&operation.segments, &segments, &mut path_parameters)
                .then_some(Route { operation, path_parameters })
        })
    }

    /// The operation with this id; panics for one the extract does not hold, which is a mistake
    /// in the test or the double.
    pub(crate) fn operation(&self, id: &str) -> &Operation {
        self.operations
            .iter()
            .find(|operation| operation.id == id)
            .unwrap_or_else(|| panic!("the GitHub description extract has no operation {id}"))
    }

    /// The value of the documented example `name` of `operation`'s answer with `status`.
    pub(crate) fn example(&self, operation: &str, status: u16, name: &str) -> Value {
        let response = &self.operation(operation).response_objects[&status];
        let example = self.resolve(&response["content"]["application/json"]["examples"][name]);
        match &example["value"] {
            Value::Null => panic!("{operation} documents no example {name} for {status}"),
            value => value.clone(),
        }
    }

    fn resolve<'v>(&'v self, value: &'v Value) -> &'v Value {
        resolve(&self.document, value)
    }

    /// Every way `body`, the double's answer with `status` to `operation`, departs from the
    /// description.
    pub(crate) fn check_response(&self, operation: &Operation, status: u16, body: Option<&Value>) -> Vec<String> {
        let validator = match operation.responses.get(&status) {
            Some(validator) => validator.as_ref(),
            None if UNDESCRIBED_ERROR_STATUSES.contains(&status) => Some(&self.basic_error),
            None => return vec![format!("{} does not describe a {status} answer", operation.id)],
        };
        match (validator, body) {
            (Some(validator), Some(body)) => schema_problems(validator, body),
            (Some(_), None) => vec![format!("{} describes a JSON body for {status}, the answer has none", operation.id)],
            (None, Some(_)) => vec![format!("{} describes no body for {status}, the answer has one", operation.id)],
            (None, None) => Vec::new(),
        }
    }
}

impl Operation {
    /// Checks the query pairs and the body of a request routed here (its path parameters were
    /// matched already) against the operation's parameters and request body.
    pub(crate) fn check_request(
        &self,
        path_parameters: &BTreeMap<String, String>,
        query: &[(String, String)],
        body: &[u8],
    ) -> CheckedRequest {
        let mut problems = Vec::new();
        for parameter in &self.parameters {
            let values: Vec<&String> = match parameter.location {
                Location::Path => path_parameters.get(&parameter.name).into_iter().collect(),
                Location::Query => query.iter().filter(|(name, _)| *name == parameter.name).map(|(_, value)| value).collect(),
            };
            match values.as_slice() {
                [] if parameter.required => problems.push(format!("parameter {} is required", parameter.name)),
                [] => {}
                [value] => {
                    let value = parameter.read(value);
                    problems.extend(
                        schema_problems(&parameter.validator, &value)
                            .into_iter()
                            .map(|problem| format!("parameter {}: {problem}", parameter.name)),
                    );
                }
                _ => problems.push(format!("parameter {} is given {} times", parameter.name, values.len())),
            }
        }
        for (name, _) in query {
            if !self.parameters.iter().any(|parameter| parameter.location == Location::Query && parameter.name == *name) {
                problems.push(format!("query parameter {name} is not described"));
            }
        }

        let mut parsed = None;
        let mut unparsable_body = false;
        match (&self.body, body.is_empty()) {
            (Some(described), true) if described.required => problems.push("the request body is required".to_owned()),
            (None, false) => problems.push("the operation describes no request body, the request has one".to_owned()),
            (Some(described), false) => match serde_json::from_slice::<Value>(body) {
                Ok(value) => {
                    problems.extend(schema_problems(&described.validator, &value).into_iter().map(|problem| format!("body: {problem}")));
                    parsed = Some(value);
                }
                Err(error) => {
                    unparsable_body = true;
                    problems.push(format!("the body is not JSON: {error}"));
                }
            },
            _ => {}
        }
        CheckedRequest { problems, body: parsed, unparsable_body }
    }
}

impl Parameter {
    /// The value a parameter's string form stands for, by its schema's type. A string that
    /// does not read as that type stays a string, so the schema check reports it.
    fn read(&self, text: &str) -> Value {
        let read = match self.kind.as_deref() {
            Some("integer") => text.parse::<i64>().ok().map(Value::from),
            Some("number") => text.parse::<f64>().ok().map(Value::from),
            Some("boolean") => text.parse::<bool>().ok().map(Value::from),
            _ => None,
        };
        read.unwrap_or_else(|| Value::String(text.to_owned()))
    }
}

/// Builds an operation's matchers and validators out of the description.
struct Compiler<'r> {
    registry: &'r Registry<'r>,
    document: &'r Value,
}

impl Compiler<'_> {
    fn validator(&self, openapi_schema: &Value) -> Validator {
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(self.registry)
            .should_validate_formats(true)
            .build(&to_json_schema(openapi_schema))
            .unwrap_or_else(|error| panic!("a schema of the GitHub description extract does not compile: {error}"))
    }

    fn operation(&self, path: &str, method: &str, operation: &Value) -> Operation {
        let id = operation["operationId"].as_str().expect("an operation has an id").to_owned();
        let parameters: Vec<Parameter> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|parameter| {
                let parameter = resolve(self.document, parameter);
                let location = match parameter["in"].as_str() {
                    Some("path") => Location::Path,
                    Some("query") => Location::Query,
                    other => panic!("{id}: parameters in {other:?} are not served by the double"),
                };
                Parameter {
                    name: parameter["name"].as_str().expect("a parameter has a name").to_owned(),
                    required: parameter["required"] == Value::Bool(true),
                    kind: parameter["schema"]["type"].as_str().map(str::to_owned),
                    validator: self.validator(&parameter["schema"]),
                    location,
                }
            })
            .collect();
        let segments = path
            .trim_start_matches('/')
            .split('/')
            .map(|segment| match segment.strip_prefix('{').and_then(|inner| inner.strip_suffix('}')) {
                Some(name) => {
                    let declared = operation["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|parameter| resolve(self.document, parameter))
                        .find(|parameter| parameter["name"] == name && parameter["in"] == "path");
                    let multi_segment = declared.is_some_and(|parameter| parameter["x-multi-segment"] == Value::Bool(true));
                    Segment::Parameter { name: name.to_owned(), multi_segment }
                }
                None => Segment::Literal(segment.to_owned()),
            })
            .collect();
        let body = operation.get("requestBody").map(|body| {
            let body = resolve(self.document, body);
            RequestBody {
                required: body["required"] == Value::Bool(true),
                validator: self.validator(&body["content"]["application/json"]["schema"]),
            }
        });
        let mut responses = BTreeMap::new();
        let mut response_objects = BTreeMap::new();
        for (status, response) in operation["responses"].as_object().expect("an operation has responses") {
            let status: u16 = status.parse().unwrap_or_else(|_| panic!("{id}: response {status} is not a status code"));
            let response = resolve(self.document, response);
            let validator = response["content"]["application/json"].get("schema").map(|schema| self.validator(schema));
            responses.insert(status, validator);
            response_objects.insert(status, response.clone());
        }
        Operation {
            documentation_url: operation["externalDocs"]["url"].as_str().unwrap_or("https://docs.github.com/rest").to_owned(),
            method: method.to_ascii_uppercase(),
            id,
            segments,
            parameters,
            body,
            responses,
            response_objects,
        }
    }
}

/// `value`, or what it refers to where it is a `$ref` into the document.
fn resolve<'v>(document: &'v Value, value: &'v Value) -> &'v Value {
    match value.get("$ref").and_then(Value::as_str).and_then(|reference| reference.strip_prefix('#')) {
        Some(pointer) => document.pointer(pointer).unwrap_or_else(|| panic!("the extract lacks #{pointer}")),
        None => value,
    }
}

/// Matches request path segments against an operation's; a multi-segment parameter takes as
/// many segments as it can while the rest still matches.
fn match_segments(template: &[Segment], path: &[&str], parameters: &mut BTreeMap<String, String>) -> bool {
    match (template.split_first(), path.split_first()) {
        (None, None) => true,
        (Some((Segment::Literal(literal), template)), Some((segment, path))) => {
            literal == segment && match_segments(template, path, parameters)
        }
        (Some((Segment::Parameter { name, multi_segment }, template)), Some(_)) => {
            let longest = if *multi_segment { path.len() } else { 1 };
            (1..=longest).rev().any(|taken| {
                let (value, rest) = path.split_at(taken);
                if value.iter().any(|segment| segment.is_empty()) || !match_segments(template, rest, parameters) {
                    return false;
                }
                let decoded = value.iter().map(|segment| percent_decode_str(segment).decode_utf8_lossy()).collect::<Vec<_>>();
                parameters.insert(name.clone(), decoded.join("/"));
                true
            })
        }
        _ => false,
    }
}

fn schema_problems(validator: &Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|error| {
            let mut message = error.to_string();
            if message.len() > 300 {
                let cut = (0..=300).rev().find(|&index| message.is_char_boundary(index)).unwrap_or(0);
                message.truncate(cut);
                message.push('…');
            }
            format!("at '{}': {message}", error.instance_path())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn route(method: &str, path: &str) -> (String, BTreeMap<String, String>) {
        let route = Description::get().route(method, path).unwrap_or_else(|| panic!("{method} {path} is described"));
        (route.operation.id.clone(), route.path_parameters)
    }

    #[test]
    fn multi_segment_parameters_take_every_segment_and_are_decoded() {
        let (id, parameters) = route("GET", "/repos/acme/infra/git/ref/heads/planhost/infra-scale/staging");
        assert_eq!((id.as_str(), parameters["ref"].as_str()), ("git/get-ref", "heads/planhost/infra-scale/staging"));
        let (id, parameters) = route("PUT", "/repos/acme/infra/contents/ops/plans/my%20plan.yaml");
        assert_eq!((id.as_str(), parameters["path"].as_str()), ("repos/create-or-update-file-contents", "ops/plans/my plan.yaml"));
        let (id, parameters) = route("DELETE", "/repos/acme/infra/issues/3/labels/needs-approval");
        assert_eq!((id.as_str(), parameters["name"].as_str()), ("issues/remove-label", "needs-approval"));
        assert!(Description::get().route("GET", "/repos/acme/infra/git/ref/").is_none());
        assert!(Description::get().route("GET", "/repos/acme/infra/issues/3/labels/a/b").is_none());
    }

    #[test]
    fn an_answer_outside_the_description_is_found() {
        let description = Description::get();
        let get_pull = description.operation("pulls/get");
        assert!(!description.check_response(get_pull, 200, Some(&json!({ "number": "one" }))).is_empty());
        assert!(description.check_response(get_pull, 404, Some(&json!({ "message": 404 }))).iter().any(|problem| problem.contains("message")));
        assert!(description.check_response(get_pull, 418, Some(&json!({}))).iter().any(|problem| problem.contains("does not describe a 418")));
        assert!(description.check_response(get_pull, 304, Some(&json!({}))).iter().any(|problem| problem.contains("no body")));
        assert!(description.check_response(get_pull, 429, Some(&json!({ "message": "limited" }))).is_empty());
    }

    #[test]
    fn formats_are_checked() {
        let description = Description::get();
        let operation = description.operation("issues/list-comments");
        let problems = operation.check_request(&BTreeMap::from([("issue_number".to_owned(), "1".to_owned())]), &[("since".to_owned(), "yesterday".to_owned())], b"");
        assert!(problems.problems.iter().any(|problem| problem.contains("since")), "{:?}", problems.problems);
    }
}
