package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/gorilla/mux"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/apperr"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/blob"
	"github.com/cargoman/cargoman/internal/bodylimit"
	"github.com/cargoman/cargoman/internal/casing"
	"github.com/cargoman/cargoman/internal/httperr"
	"github.com/cargoman/cargoman/internal/origin"
	"github.com/cargoman/cargoman/internal/scratch"
	"github.com/cargoman/cargoman/internal/validate"
)

// compiled is a Route checked against the schema, with what variable
// filling needs precomputed.
type compiled struct {
	Route
	vars     ast.VariableDefinitionList
	hasInput bool
	// input is the type of $input, whose fields the body names.
	input *ast.Definition
	// flatten is set when the result embeds connections, shown as arrays.
	flatten bool
	// pathVars maps a variable (or $input field) to its path template.
	pathVars map[string]string
	// requires is what the operation's root fields ask of the caller,
	// checked before the body is read.
	requires []graph.Requirement
}

// DistOpener opens the dist archive of a version for download.
type DistOpener interface {
	OpenDist(ctx context.Context, versionID string) (blob.Object, string, error)
}

// Options are what the REST layer needs besides its routes.
type Options struct {
	// Origin is the base of Link headers; required.
	Origin *origin.Resolver
	// Middleware wraps every route (authentication).
	Middleware func(http.Handler) http.Handler
	Dists      DistOpener
	// Limits bound request bodies: JSON bodies and uploads.
	Limits bodylimit.Limits
	// Scratch holds uploads while they are processed; required by routes
	// with an Upload.
	Scratch *scratch.Dir
}

// Handler serves the REST routes.
type Handler struct {
	exec *executor.Executor
	opts Options
}

// Mount compiles routes against the executor's schema and registers them
// on r. It fails if any document does not validate, so a broken route is
// caught at start-up (and by tests), never by a user.
func Mount(r *mux.Router, exec *executor.Executor, schema *ast.Schema, routes []Route, opts Options) error {
	h := &Handler{exec: exec, opts: opts}
	h.opts.Limits = h.opts.Limits.WithDefaults()
	if h.opts.Middleware == nil {
		h.opts.Middleware = func(next http.Handler) http.Handler { return next }
	}
	for _, rt := range routes {
		c, err := compile(schema, rt)
		if err != nil {
			return err
		}
		if c.Upload != "" && h.opts.Scratch == nil {
			return fmt.Errorf("rest: %s %s takes an upload: Options.Scratch is required", rt.Method, rt.Path)
		}
		r.Handle(rt.Path, h.opts.Middleware(h.serve(c))).Methods(rt.Method)
	}
	return nil
}

func compile(schema *ast.Schema, rt Route) (*compiled, error) {
	doc, errs := gqlparser.LoadQuery(schema, rt.Query)
	if len(errs) > 0 {
		return nil, fmt.Errorf("rest: %s %s: invalid GraphQL document: %w", rt.Method, rt.Path, errs)
	}
	if len(doc.Operations) != 1 {
		return nil, fmt.Errorf("rest: %s %s: want exactly one operation", rt.Method, rt.Path)
	}
	requires, err := graph.RequirementsOf(doc.Operations[0])
	if err != nil {
		return nil, fmt.Errorf("rest: %s %s: %w", rt.Method, rt.Path, err)
	}
	c := &compiled{Route: rt, vars: doc.Operations[0].VariableDefinitions, pathVars: rt.Vars, requires: requires,
		flatten: embedsConnections(doc.Operations[0], rt.List)}
	if c.pathVars == nil {
		c.pathVars = map[string]string{}
		for _, name := range pathParams(rt.Path) {
			c.pathVars[casing.Camel(name)] = "{" + name + "}"
		}
	}
	for _, v := range c.vars {
		if v.Variable == "input" {
			c.hasInput, c.input = true, v.Definition
		}
	}
	return c, nil
}

// expand fills a template such as "{vendor}/{name}" from path values.
func expand(tmpl string, vals map[string]string) string {
	out := tmpl
	for k, v := range vals {
		out = strings.ReplaceAll(out, "{"+k+"}", v)
	}
	return out
}

// pathParams lists the {names} of a path template.
func pathParams(tmpl string) []string {
	var names []string
	for {
		_, rest, ok := strings.Cut(tmpl, "{")
		if !ok {
			return names
		}
		param, after, ok := strings.Cut(rest, "}")
		if !ok {
			return names
		}
		name, _, _ := strings.Cut(param, ":")
		names = append(names, name)
		tmpl = after
	}
}

func (h *Handler) serve(c *compiled) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A caller who cannot use the route is refused before anything
		// of the body is read.
		if err := graph.AdmitAll(c.requires, auth.FromContext(r.Context())); err != nil {
			httperr.REST(w, err)
			return
		}
		page, err := readPage(r, c.List)
		if err != nil {
			httperr.REST(w, err)
			return
		}
		vars, cleanup, err := h.variables(c, w, r, page)
		defer cleanup()
		if err != nil {
			httperr.REST(w, err)
			return
		}
		resp := h.execute(r.Context(), c.Query, vars)
		if len(resp.Errors) > 0 {
			httperr.REST(w, errorFromGraphQL(resp.Errors[0]))
			return
		}
		if c.Respond != nil {
			value, err := unwrap(resp.Data, c.Result)
			if err != nil {
				httperr.REST(w, apperr.New(apperr.Internal, "internal error").WithCause(err))
				return
			}
			c.Respond(h, w, r, value)
			return
		}
		h.respond(w, r, c, resp.Data, page)
	})
}

// execute runs one operation through the executor, as gqlgen's HTTP
// transport does.
func (h *Handler) execute(ctx context.Context, query string, vars map[string]any) *graphql.Response {
	ctx = graphql.StartOperationTrace(ctx)
	params := &graphql.RawParams{Query: query, Variables: vars}
	start := graphql.Now()
	params.ReadTime = graphql.TraceTiming{Start: start, End: start}
	opCtx, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return h.exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
	}
	responses, ctx := h.exec.DispatchOperation(ctx, opCtx)
	return responses(ctx)
}

// variables fills the operation's variables from the request. cleanup
// removes what reading the body left on disk; it is never nil.
func (h *Handler) variables(c *compiled, w http.ResponseWriter, r *http.Request, p *page) (_ map[string]any, cleanup func(), _ error) {
	cleanup = func() {}
	pathVals := mux.Vars(r)
	for name, v := range pathVals {
		if err := validate.Identifier(v); err != nil {
			return nil, cleanup, apperr.Invalid(casing.Camel(name), "path parameter %s %s", name, err)
		}
	}
	vars := make(map[string]any, len(c.vars))
	for k, v := range c.Fixed {
		vars[k] = v
	}
	if c.hasInput {
		var input map[string]any
		var err error
		if c.Upload != "" {
			input, cleanup, err = h.readUpload(w, r, c.Upload)
		} else {
			input, err = readBody(w, r, h.opts.Limits.JSON, c.input)
		}
		if err != nil {
			return nil, cleanup, err
		}
		for name, tmpl := range c.pathVars {
			input[name] = expand(tmpl, pathVals)
		}
		vars["input"] = input
	}
	query := r.URL.Query()
	for _, def := range c.vars {
		name := def.Variable
		if _, fixed := c.Fixed[name]; fixed {
			continue
		}
		switch {
		case name == "input":
		case c.pathVars[name] != "":
			vars[name] = expand(c.pathVars[name], pathVals)
		case p != nil && name == "first":
			vars[name] = p.size
		case p != nil && name == "offset":
			// GraphQL's Int is 32 bits; any page that far is past the end.
			vars[name] = math.MaxInt32
			if p.number-1 <= math.MaxInt32/p.size {
				vars[name] = (p.number - 1) * p.size
			}
		default:
			raw, ok := query[casing.Snake(name)]
			if !ok {
				continue
			}
			if err := validate.FreeText(raw[len(raw)-1]); err != nil {
				return nil, cleanup, apperr.Invalid(name, "query parameter %s %s", casing.Snake(name), err)
			}
			v, err := queryValue(def, casing.Snake(name), raw[len(raw)-1])
			if err != nil {
				return nil, cleanup, err
			}
			vars[name] = v
		}
	}
	return vars, cleanup, nil
}

// queryValue converts a query parameter to the variable's GraphQL type.
func queryValue(def *ast.VariableDefinition, param, raw string) (any, error) {
	switch def.Type.NamedType {
	case "Int":
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, apperr.Invalid(param, "%s must be a whole number", param)
		}
		return n, nil
	case "Boolean":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, apperr.Invalid(param, "%s must be true or false", param)
		}
		return b, nil
	}
	return raw, nil
}

// readBody decodes a JSON object body; an empty body is an empty object.
// input is the type the body fills, to point camelCase keys at their
// snake_case names.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, input *ast.Definition) (map[string]any, error) {
	data, err := bodylimit.Read(w, r, limit)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	if err := validate.JSONText(data); err != nil {
		return nil, apperr.New(apperr.Validation, "the request body %s; send UTF-8 text", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		return nil, apperr.New(apperr.Validation, "the request body is not valid JSON: %s", jsonErrorText(err))
	}
	if dec.More() {
		return nil, apperr.New(apperr.Validation, "the request body must hold a single JSON object")
	}
	obj, ok := body.(map[string]any)
	if !ok {
		return nil, apperr.New(apperr.Validation, "the request body must be a JSON object")
	}
	if err := camelKeyError(obj, input); err != nil {
		return nil, err
	}
	return camelKeys(obj).(map[string]any), nil
}

func jsonErrorText(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return err.Error()
}

// respond unwraps the result and writes it with snake_case keys.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, c *compiled, data json.RawMessage, p *page) {
	value, err := unwrap(data, c.Result)
	if err != nil {
		httperr.REST(w, apperr.New(apperr.Internal, "internal error").WithCause(err))
		return
	}
	if bytes.Equal(value, []byte("null")) {
		httperr.REST(w, apperr.NotFoundf("not found"))
		return
	}
	if c.List {
		var total int
		if value, total, err = listItems(value, p); err != nil {
			httperr.REST(w, apperr.New(apperr.Internal, "internal error").WithCause(err))
			return
		}
		p.writeHeaders(w, r, h.opts.Origin.BaseOf(r), total)
	}
	if c.flatten {
		if value, err = flattenConnections(value); err != nil {
			httperr.REST(w, apperr.New(apperr.Internal, "internal error").WithCause(err))
			return
		}
	}
	if c.status() == http.StatusNoContent {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	body, err := snakeKeys(value)
	if err != nil {
		httperr.REST(w, apperr.New(apperr.Internal, "internal error").WithCause(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(c.status())
	_, _ = w.Write(body)
}

// unwrap follows path from the root of data.
func unwrap(data json.RawMessage, path []string) (json.RawMessage, error) {
	for _, key := range path {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, fmt.Errorf("rest: unwrap %q: %w", key, err)
		}
		v, ok := obj[key]
		if !ok {
			return nil, fmt.Errorf("rest: result has no field %q", key)
		}
		data = v
		if bytes.Equal(data, []byte("null")) {
			return data, nil
		}
	}
	return data, nil
}

// listItems returns the page p of a list result: a connection, already
// paged by $first and $offset, or a plain list, paged here.
func listItems(value json.RawMessage, p *page) (json.RawMessage, int, error) {
	if !bytes.HasPrefix(value, []byte("[")) {
		return listNodes(value)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(value, &items); err != nil {
		return nil, 0, fmt.Errorf("rest: read list: %w", err)
	}
	start := len(items)
	if p.number-1 <= len(items)/p.size { // (no overflow for huge page numbers)
		start = (p.number - 1) * p.size
	}
	end := min(start+p.size, len(items))
	out := make([]byte, 0, len(value))
	out = append(out, '[')
	for i, item := range items[start:end] {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, item...)
	}
	return append(out, ']'), len(items), nil
}

// listNodes turns a connection into the JSON array of its nodes.
func listNodes(conn json.RawMessage) (json.RawMessage, int, error) {
	var c struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node json.RawMessage `json:"node"`
		} `json:"edges"`
	}
	if err := json.Unmarshal(conn, &c); err != nil {
		return nil, 0, fmt.Errorf("rest: read connection: %w", err)
	}
	out := make([]byte, 0, len(conn))
	out = append(out, '[')
	for i, e := range c.Edges {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, e.Node...)
	}
	return append(out, ']'), c.TotalCount, nil
}
