package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cargoman/cargoman/ent"
	"github.com/cargoman/cargoman/graph/generated"
	"github.com/cargoman/cargoman/internal/casing"
	"github.com/cargoman/cargoman/internal/testenv"
	"github.com/cargoman/cargoman/rest"
)

// badMarker stands in a JSON-encoded request for the bad text, which
// encoding/json could not carry (it would turn invalid UTF-8 into U+FFFD).
const badMarker = "\u2603BAD\u2603"

// badTexts are the values every text input must refuse, as raw JSON.
var badTexts = []struct {
	name string
	json string // the JSON string literal replacing the marker
	raw  string // the same text as Go bytes (for cursors and URLs)
}{
	{"NUL", `"a\u0000b"`, "a\x00b"},
	{"invalid UTF-8", "\"a\xffb\"", "a\xffb"},
}

// hygieneCase is one argument or input field of type String, ID, Map or
// Cursor, reached by one operation.
type hygieneCase struct {
	name  string
	query string
	vars  map[string]any
	// cursor marks a Cursor leaf: the bad text goes inside the cursor.
	cursor bool
}

// TestInputHygieneEverywhere walks the schema: for every argument and
// input field of every query and mutation whose type is String, ID, Map or
// Cursor (at any depth of input objects and lists) it sends a NUL and
// invalid UTF-8, and expects a VALIDATION_ERROR that names the problem,
// never a 500. Then every REST route gets the same text in each path
// parameter, each query parameter and its JSON body, and must answer 400
// VALIDATION_ERROR. On SQLite and PostgreSQL.
func TestInputHygieneEverywhere(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	cases := hygieneCases(t, schema)
	if len(cases) < 100 {
		t.Fatalf("the schema walk found only %d text inputs", len(cases))
	}
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		t.Run("graphql", func(t *testing.T) {
			for _, c := range cases {
				for _, bad := range badTexts {
					body, err := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
					if err != nil {
						t.Fatal(err)
					}
					if c.cursor {
						body = bytes.Replace(body, []byte(`"`+badMarker+`"`), []byte(`"`+badCursor(t, bad.raw)+`"`), 1)
					} else {
						body = bytes.Replace(body, []byte(`"`+badMarker+`"`), []byte(bad.json), 1)
					}
					resp := s.Raw(t, http.MethodPost, "/graphql", "", bytes.NewReader(body),
						map[string]string{"Authorization": "Bearer " + root, "Content-Type": "application/json"})
					var res testenv.GraphQLResult
					if err := json.Unmarshal(resp.Body, &res); err != nil {
						t.Errorf("%s with %s: %d %s", c.name, bad.name, resp.Status, resp.Body)
						continue
					}
					if resp.Status >= 500 || res.Code() != "VALIDATION_ERROR" || !namesTextProblem(res.Errors[0].Message) {
						t.Errorf("%s with %s: status %d, errors %+v", c.name, bad.name, resp.Status, res.Errors)
					}
				}
			}
		})
		t.Run("transport", func(t *testing.T) {
			// Text that encoding/json would silently turn into U+FFFD.
			auth := map[string]string{"Authorization": "Bearer " + root, "Content-Type": "application/json"}
			for name, r := range map[string]*testenv.Response{
				"POST lone surrogate": s.Raw(t, http.MethodPost, "/graphql", "", strings.NewReader(
					`{"query":"mutation($n: String!) { createCustomer(input: {name: $n}) { customer { id } } }","variables":{"n":"a\ud800"}}`), auth),
				"GET invalid UTF-8 variables": s.Raw(t, http.MethodGet,
					"/graphql?query="+url.QueryEscape(`query($id: ID!) { customer(id: $id) { id } }`)+"&variables="+url.QueryEscape("{\"id\":\"a\xffb\"}"), "", nil, auth),
				"GET lone surrogate": s.Raw(t, http.MethodGet,
					"/graphql?query="+url.QueryEscape(`query($id: ID!) { customer(id: $id) { id } }`)+"&variables="+url.QueryEscape(`{"id":"\udc00"}`), "", nil, auth),
			} {
				var res testenv.GraphQLResult
				_ = json.Unmarshal(r.Body, &res)
				if r.Status != http.StatusBadRequest || res.Code() != "VALIDATION_ERROR" || !namesTextProblem(res.Errors[0].Message) {
					t.Errorf("%s: %d %s", name, r.Status, r.Body)
				}
			}
		})
		t.Run("rest", func(t *testing.T) {
			for _, req := range restHygieneRequests(t, schema) {
				r := s.Raw(t, req.method, req.path, "", strings.NewReader(req.body),
					map[string]string{"Authorization": "Bearer " + root, "Content-Type": "application/json"})
				var e struct {
					Error struct{ Code, Message string }
				}
				_ = json.Unmarshal(r.Body, &e)
				if r.Status != http.StatusBadRequest || e.Error.Code != "VALIDATION_ERROR" || !namesTextProblem(e.Error.Message) {
					t.Errorf("%s: %d %s", req.name, r.Status, r.Body)
				}
			}
		})
	})
}

// namesTextProblem reports an error message about the bad text itself,
// not about something else the request got wrong.
func namesTextProblem(msg string) bool {
	return strings.Contains(msg, "NUL") || strings.Contains(msg, "UTF-8") || strings.Contains(msg, "surrogate") || strings.Contains(msg, "control character")
}

// badCursor is a well-formed pagination cursor whose id is text.
func badCursor(t *testing.T, text string) string {
	var buf bytes.Buffer
	ent.Cursor{ID: text}.MarshalGQL(&buf)
	var s string
	if err := json.Unmarshal(buf.Bytes(), &s); err != nil {
		t.Fatalf("cursor %s: %v", buf.Bytes(), err)
	}
	return s
}

// hygieneCases lists one operation per text leaf of every argument of
// every query and mutation field.
func hygieneCases(t *testing.T, schema *ast.Schema) []hygieneCase {
	w := walker{schema: schema}
	var cases []hygieneCase
	for _, op := range []struct {
		keyword string
		def     *ast.Definition
	}{{"query", schema.Query}, {"mutation", schema.Mutation}} {
		for _, f := range op.def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			for _, target := range f.Arguments {
				for _, leaf := range w.leaves(target.Type, nil) {
					c, ok := w.operation(op.keyword, f, target, leaf)
					if ok {
						cases = append(cases, c)
					}
				}
			}
		}
	}
	t.Logf("%d text inputs", len(cases))
	return cases
}

type walker struct{ schema *ast.Schema }

// leaf is the path from an argument to one text value: field names, and
// -1 for "an element of the list".
type leaf struct {
	path   []any
	scalar string
}

// textScalars are the scalars that carry caller text.
var textScalars = map[string]bool{"String": true, "ID": true, "Map": true, "Cursor": true}

func (w walker) leaves(typ *ast.Type, stack []string) []leaf {
	if typ.Elem != nil {
		var out []leaf
		for _, l := range w.leaves(typ.Elem, stack) {
			out = append(out, leaf{append([]any{-1}, l.path...), l.scalar})
		}
		return out
	}
	def := w.schema.Types[typ.NamedType]
	switch def.Kind {
	case ast.Scalar:
		if textScalars[def.Name] {
			return []leaf{{scalar: def.Name}}
		}
	case ast.InputObject:
		for _, seen := range stack {
			if seen == def.Name {
				return nil // recursive where-inputs: once is enough
			}
		}
		var out []leaf
		for _, f := range def.Fields {
			for _, l := range w.leaves(f.Type, append(stack, def.Name)) {
				out = append(out, leaf{append([]any{f.Name}, l.path...), l.scalar})
			}
		}
		return out
	}
	return nil
}

// operation builds the document and variables that put the marker at leaf
// of argument target, with every other required value filled in.
func (w walker) operation(keyword string, f *ast.FieldDefinition, target *ast.ArgumentDefinition, l leaf) (hygieneCase, bool) {
	var params, args []string
	vars := map[string]any{}
	for _, a := range f.Arguments {
		var v any
		var ok bool
		switch {
		case a == target:
			v, ok = w.build(a.Type, l.path, l.scalar)
		case a.Type.NonNull && a.DefaultValue == nil:
			v, ok = w.dummy(a.Type)
		default:
			continue
		}
		if !ok {
			return hygieneCase{}, false
		}
		params = append(params, fmt.Sprintf("$%s: %s", a.Name, a.Type.String()))
		args = append(args, fmt.Sprintf("%s: $%s", a.Name, a.Name))
		vars[a.Name] = v
	}
	sel := ""
	if k := w.schema.Types[f.Type.Name()].Kind; k == ast.Object || k == ast.Interface || k == ast.Union {
		sel = " { __typename }"
	}
	name := f.Name + "." + target.Name
	for _, p := range l.path {
		if s, ok := p.(string); ok {
			name += "." + s
		}
	}
	q := fmt.Sprintf("%s(%s) { %s(%s)%s }", keyword, strings.Join(params, ", "), f.Name, strings.Join(args, ", "), sel)
	return hygieneCase{name: name, query: q, vars: vars, cursor: l.scalar == "Cursor"}, true
}

// build is a value of typ with the marker at path.
func (w walker) build(typ *ast.Type, path []any, scalar string) (any, bool) {
	if len(path) == 0 {
		if scalar == "Map" {
			return map[string]any{"package": badMarker}, true
		}
		return badMarker, true
	}
	if path[0] == -1 {
		v, ok := w.build(typ.Elem, path[1:], scalar)
		return []any{v}, ok
	}
	def := w.schema.Types[typ.NamedType]
	obj, ok := w.required(def)
	if !ok {
		return nil, false
	}
	field := def.Fields.ForName(path[0].(string))
	v, ok := w.build(field.Type, path[1:], scalar)
	obj[field.Name] = v
	return obj, ok
}

// required fills the required fields of an input object.
func (w walker) required(def *ast.Definition) (map[string]any, bool) {
	obj := map[string]any{}
	for _, f := range def.Fields {
		if f.Type.NonNull && f.DefaultValue == nil {
			v, ok := w.dummy(f.Type)
			if !ok {
				return nil, false
			}
			obj[f.Name] = v
		}
	}
	return obj, true
}

// dummy is a valid value of typ; ok is false for types a JSON body cannot
// carry (uploads).
func (w walker) dummy(typ *ast.Type) (any, bool) {
	if typ.Elem != nil {
		return []any{}, true
	}
	def := w.schema.Types[typ.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name, true
	case ast.InputObject:
		return w.required(def)
	}
	switch def.Name {
	case "String", "ID":
		return "x", true
	case "Int", "Float":
		return 1, true
	case "Boolean":
		return false, true
	case "Time":
		return "2020-01-01T00:00:00Z", true
	case "Map":
		return map[string]any{}, true
	}
	return nil, false
}

type restRequest struct{ name, method, path, body string }

var pathParam = regexp.MustCompile(`\{([^}:]+)(:[^}]*)?\}`)

// restHygieneRequests puts the bad texts in every path parameter, every
// query parameter and the JSON body of every REST route.
func restHygieneRequests(t *testing.T, schema *ast.Schema) []restRequest {
	var out []restRequest
	for _, rt := range rest.Routes() {
		doc, errs := gqlparser.LoadQuery(schema, rt.Query)
		if len(errs) > 0 {
			t.Fatalf("%s %s: %v", rt.Method, rt.Path, errs)
		}
		params := pathParam.FindAllStringSubmatch(rt.Path, -1)
		fill := func(bad, in string) string {
			return pathParam.ReplaceAllStringFunc(rt.Path, func(m string) string {
				if m == in {
					return bad
				}
				return "x"
			})
		}
		for _, enc := range []struct{ name, text string }{{"NUL", "a%00b"}, {"invalid UTF-8", "a%FFb"}} {
			for _, p := range params {
				if p[2] != "" {
					continue // a pattern that refuses the text already
				}
				out = append(out, restRequest{rt.Method + " " + rt.Path + " path " + p[1] + " " + enc.name, rt.Method, fill(enc.text, p[0]), ""})
			}
			path := fill("", "")
			byName := map[string]bool{}
			for _, p := range params {
				byName[p[1]] = true
			}
			for _, v := range doc.Operations[0].VariableDefinitions {
				name := casing.Snake(v.Variable)
				if v.Variable == "input" || v.Variable == "first" || v.Variable == "offset" || byName[name] || rt.Vars[v.Variable] != "" || rt.Fixed[v.Variable] != nil {
					continue
				}
				if n := v.Definition.Name; n != "String" && n != "ID" {
					continue
				}
				out = append(out, restRequest{rt.Method + " " + rt.Path + " query " + name + " " + enc.name, rt.Method, path + "?" + name + "=" + enc.text, ""})
			}
		}
		hasInput := doc.Operations[0].VariableDefinitions.ForName("input") != nil
		if hasInput && rt.Upload == "" {
			path := fill("", "")
			out = append(out,
				restRequest{rt.Method + " " + rt.Path + " body invalid UTF-8", rt.Method, path, "{\"name\":\"a\xffb\"}"},
				restRequest{rt.Method + " " + rt.Path + " body lone surrogate", rt.Method, path, `{"name":"a\ud800b"}`})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) < 50 {
		t.Fatalf("only %d REST requests", len(out))
	}
	return out
}
