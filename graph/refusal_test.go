package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/cargoman/cargoman/graph"
	"github.com/cargoman/cargoman/internal/auth"
	"github.com/cargoman/cargoman/internal/testenv"
)

// backLinkQuery nests customers → tokens → customer → tokens …: a few
// hundred bytes that used to materialise every token once per level.
func backLinkQuery(levels int) string {
	return "{ customers { edges { node { id " + strings.Repeat("tokens { edges { node { id customer { id ", levels) +
		"name" + strings.Repeat(" } } } }", levels) + " } } } }"
}

// versionLinkQuery nests package → allVersions → package → allVersions ….
func versionLinkQuery(levels int) string {
	return `{ package(name: "acme/lib") { ` + strings.Repeat("allVersions { edges { node { version package { name ", levels) +
		"id" + strings.Repeat(" } } } }", levels) + " } }"
}

// deepQuery is cheap (pages of one) but nested past the depth limit.
var deepQuery = "{ customers(first: 1) { edges { node { " + strings.Repeat("tokens(first: 1) { edges { node { customer { ", 3) +
	"id" + strings.Repeat(" } } } }", 3) + " } } } }"

func manyIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "cus_01J0000000000000000000000"
	}
	return ids
}

// countFields counts the fields that started resolving.
type countFields struct{ n *atomic.Int64 }

func (countFields) ExtensionName() string                   { return "CountFields" }
func (countFields) Validate(graphql.ExecutableSchema) error { return nil }
func (c countFields) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	c.n.Add(1)
	return next(ctx)
}

// handler is the GraphQL endpoint without a database: a resolver that ran
// would fail, and countFields would see it.
func handler(t *testing.T, s graph.Settings) (http.Handler, *atomic.Int64, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	n := &atomic.Int64{}
	log := slog.New(slog.NewTextHandler(&logs, nil))
	after := graph.AfterMutation(func(context.Context) {})
	return graph.NewHandler(graph.NewSchema(graph.Deps{}), log, s, graph.Uploads{}, after, countFields{n}), n, &logs
}

func post(h http.Handler, p *auth.Caller, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if p != nil {
		req = req.WithContext(auth.WithCaller(req.Context(), p))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

type gqlResponse struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) gqlResponse {
	t.Helper()
	var out gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return out
}

// TestRefusedBeforeResolvers: the nested back-link queries, 10,000 ids in
// nodes and a page over the limit are refused with 422 VALIDATION_ERROR
// before any resolver runs, and refusing them allocates little.
func TestRefusedBeforeResolvers(t *testing.T) {
	root := &auth.Caller{Kind: auth.KindRoot, Role: auth.RoleOwner, TenantID: "ten_x"}
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		cost  bool
	}{
		{name: "customers tokens back-links", query: backLinkQuery(4), cost: true},
		{name: "package versions back-links", query: versionLinkQuery(4), cost: true},
		{name: "10000 ids", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, vars: map[string]any{"ids": manyIDs(10000)}},
		{name: "first over 100", query: `{ customers(first: 500) { totalCount } }`},
		{name: "too deep", query: deepQuery},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, resolved, logs := handler(t, graph.Settings{})
			body, err := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rec := post(h, root, body)
			runtime.ReadMemStats(&after)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", rec.Code, rec.Body)
			}
			out := decode(t, rec)
			if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "VALIDATION_ERROR" {
				t.Fatalf("errors = %+v", out.Errors)
			}
			if tc.cost {
				ext := out.Errors[0].Extensions
				cost, _ := ext["cost"].(float64)
				maxCost, _ := ext["maxCost"].(float64)
				if maxCost != graph.DefaultMaxComplexity || cost <= maxCost {
					t.Fatalf("extensions = %v, want cost over maxCost %d", ext, graph.DefaultMaxComplexity)
				}
			}
			if n := resolved.Load(); n != 0 {
				t.Fatalf("%d fields resolved before the refusal", n)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Fatalf("refusing allocated %d MiB", alloc>>20)
			}
			if strings.Contains(logs.String(), "panic") {
				t.Fatalf("logs: %s", logs)
			}
		})
	}
}

// TestMalformedRequests: a body that is not a GraphQL request answers 400
// VALIDATION_ERROR, without a panic and without echoing the body.
func TestMalformedRequests(t *testing.T) {
	const marker = "SECRET-MARKER"
	for _, tc := range []struct{ name, body string }{
		{"empty body", ""},
		{"not JSON", "query { viewer { kind } } " + marker},
		{"JSON array", `["` + marker + `"]`},
		{"query not a string", `{"query": 42, "x": "` + marker + `"}`},
		{"query an object", `{"query": {"q": "` + marker + `"}}`},
		{"variables not an object", `{"query": "{ viewer { kind } }", "variables": ["` + marker + `"]}`},
		{"no query", `{"variables": {"a": "` + marker + `"}}`},
		{"two values", `{"query": "{ viewer { kind } }"} {"` + marker + `": 1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, resolved, logs := handler(t, graph.Settings{})
			rec := post(h, nil, []byte(tc.body))
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", rec.Code, rec.Body)
			}
			out := decode(t, rec)
			if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "VALIDATION_ERROR" {
				t.Fatalf("errors = %+v", out.Errors)
			}
			if strings.Contains(rec.Body.String(), marker) {
				t.Fatalf("the answer echoes the body: %s", rec.Body)
			}
			if strings.Contains(logs.String(), "panic") || resolved.Load() != 0 {
				t.Fatalf("resolved %d, logs: %s", resolved.Load(), logs)
			}
		})
	}
}

// TestIntrospectionPolicy: authenticated (the default) refuses anonymous
// callers with 401; public admits them; off refuses everyone with 403.
// __typename is not introspection.
func TestIntrospectionPolicy(t *testing.T) {
	root := &auth.Caller{Kind: auth.KindRoot, Role: auth.RoleOwner, TenantID: "ten_x"}
	schemaQuery := []byte(`{"query": "{ __schema { queryType { name } } }"}`)
	typeQuery := []byte(`{"query": "query Q { ...F } fragment F on Query { __type(name: \"Customer\") { name } }"}`)
	for _, tc := range []struct {
		mode   graph.IntrospectionMode
		caller *auth.Caller
		status int
		code   string
	}{
		{"", nil, http.StatusUnauthorized, "UNAUTHORIZED"},
		{graph.IntrospectionAuthenticated, nil, http.StatusUnauthorized, "UNAUTHORIZED"},
		{graph.IntrospectionAuthenticated, root, http.StatusOK, ""},
		{graph.IntrospectionPublic, nil, http.StatusOK, ""},
		{graph.IntrospectionOff, root, http.StatusForbidden, "FORBIDDEN"},
	} {
		h, _, _ := handler(t, graph.Settings{Introspection: tc.mode})
		for _, body := range [][]byte{schemaQuery, typeQuery} {
			rec := post(h, tc.caller, body)
			out := decode(t, rec)
			if rec.Code != tc.status {
				t.Fatalf("%q, caller %v: status %d, want %d: %s", tc.mode, tc.caller != nil, rec.Code, tc.status, rec.Body)
			}
			if tc.code == "" && (len(out.Errors) > 0 || !bytes.Contains(out.Data, []byte(`"name":"Query"`)) && !bytes.Contains(out.Data, []byte(`"name":"Customer"`))) {
				t.Fatalf("%q: %s", tc.mode, rec.Body)
			}
			if tc.code != "" && (len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != tc.code) {
				t.Fatalf("%q: %s", tc.mode, rec.Body)
			}
		}
	}
	h, _, _ := handler(t, graph.Settings{})
	if rec := post(h, nil, []byte(`{"query": "{ __typename }"}`)); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"Query"`) {
		t.Fatalf("__typename: %d %s", rec.Code, rec.Body)
	}
}

// TestLimitsOverHTTP runs the refusals through the whole server on both
// databases, with data behind the back-links.
func TestLimitsOverHTTP(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		for i := range 3 {
			id := createCustomer(t, s, root, fmt.Sprintf("Customer %d", i))
			for j := range 3 {
				s.MustGraphQL(t, root, `mutation($c: ID!, $n: String!) { createCustomerToken(input: {customerID: $c, name: $n}) { plainToken } }`,
					map[string]any{"c": id, "n": fmt.Sprintf("t%d", j)}, nil)
			}
		}
		for _, tc := range []struct {
			name  string
			token string
			query string
			vars  map[string]any
			want  int
			code  string
		}{
			{"back-links", root, backLinkQuery(3), nil, http.StatusUnprocessableEntity, "VALIDATION_ERROR"},
			{"version back-links", root, versionLinkQuery(3), nil, http.StatusUnprocessableEntity, "VALIDATION_ERROR"},
			{"10000 ids", root, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": manyIDs(10000)}, http.StatusUnprocessableEntity, "VALIDATION_ERROR"},
			{"first 101", root, `{ customers(first: 101) { totalCount } }`, nil, http.StatusUnprocessableEntity, "VALIDATION_ERROR"},
			{"too deep", root, deepQuery, nil, http.StatusUnprocessableEntity, "VALIDATION_ERROR"},
			{"syntax error", root, `{ customers(`, nil, http.StatusUnprocessableEntity, "VALIDATION_ERROR"},
			{"anonymous introspection", "", `{ __schema { queryType { name } } }`, nil, http.StatusUnauthorized, "UNAUTHORIZED"},
			{"introspection", root, `{ __schema { queryType { name } } }`, nil, http.StatusOK, ""},
			{"one level of back-links", root, backLinkQuery(1), nil, http.StatusOK, ""},
			{"full page", root, `{ customers(first: 100) { totalCount edges { node { tokens { edges { node { id } } } } } } }`, nil, http.StatusOK, ""},
		} {
			res := s.GraphQL(t, tc.token, tc.query, tc.vars)
			if res.Status != tc.want || res.Code() != tc.code {
				t.Errorf("%s: status %d code %q, want %d %q: %+v", tc.name, res.Status, res.Code(), tc.want, tc.code, res.Errors)
			}
			if strings.Contains(tc.name, "back-links") && tc.want != http.StatusOK &&
				(len(res.Errors) == 0 || res.Errors[0].Extensions["maxCost"] != float64(graph.DefaultMaxComplexity)) {
				t.Errorf("%s: refused without its cost: %+v", tc.name, res.Errors)
			}
		}
		// A body that is not a GraphQL request.
		for _, body := range []string{"", "not json", `{"query": 1}`, `{"query": "{ viewer { kind } }", "variables": [1]}`} {
			resp := s.Do(t, http.MethodPost, "/graphql", root, body)
			var out testenv.GraphQLResult
			resp.JSON(t, &out)
			if resp.Status != http.StatusBadRequest || out.Code() != "VALIDATION_ERROR" {
				t.Errorf("body %q: %d %s", body, resp.Status, resp.Body)
			}
		}
		// REST keeps its larger pages.
		if resp := s.Do(t, http.MethodGet, "/api/v1/customers?per_page=500", root, nil); resp.Status != http.StatusOK {
			t.Errorf("REST per_page=500: %d %s", resp.Status, resp.Body)
		}
	})
}

// TestMalformedMultipart: the upload transport's refusals carry a code
// and the statuses of the JSON transport.
func TestMalformedMultipart(t *testing.T) {
	h, resolved, logs := handler(t, graph.Settings{})
	for _, tc := range []struct {
		name          string
		operations    string
		contentLength int64
		status        int
		code          string
	}{
		{"operations not JSON", "not json SECRET-MARKER", 0, http.StatusBadRequest, "VALIDATION_ERROR"},
		{"invalid operation", `{"query": "{ nope }"}`, 0, http.StatusUnprocessableEntity, "VALIDATION_ERROR"},
		{"a valid operation passes", `{"query": "{ __typename }"}`, 0, http.StatusOK, ""},
	} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("operations", tc.operations)
		_ = mw.WriteField("map", "{}")
		_ = mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/graphql", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if tc.contentLength > 0 {
			req.ContentLength = tc.contentLength
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		out := decode(t, rec)
		if tc.code == "" {
			if rec.Code != tc.status || len(out.Errors) != 0 || !strings.Contains(string(out.Data), `"Query"`) {
				t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
			}
			continue
		}
		if rec.Code != tc.status || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != tc.code || strings.Contains(rec.Body.String(), "SECRET-MARKER") {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	if resolved.Load() != 0 || strings.Contains(logs.String(), "panic") {
		t.Fatalf("resolved %d, logs: %s", resolved.Load(), logs)
	}
}

// TestMultipartUpload: an upload through the GraphQL multipart transport
// still works behind the held answer.
func TestMultipartUpload(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		s.MustGraphQL(t, root, `mutation { createPackage(input: {name: "acme/up", type: artifact}) { package { id } } }`, nil, nil)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("operations", `{"query": "mutation($f: Upload!) { uploadVersion(input: {package: \"acme/up\", file: $f}) { version { version } } }", "variables": {"f": null}}`)
		_ = mw.WriteField("map", `{"0": ["variables.f"]}`)
		fw, _ := mw.CreateFormFile("0", "up.zip")
		_, _ = fw.Write(testenv.Zip(t, map[string]string{"composer.json": testenv.ComposerJSON("acme/up", `"version":"2.0.0"`)}))
		_ = mw.Close()
		resp := s.Raw(t, http.MethodPost, "/graphql", "", &body, map[string]string{"Authorization": "Bearer " + root, "Content-Type": mw.FormDataContentType()})
		if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), `"version":"2.0.0"`) {
			t.Fatalf("upload: %d %s", resp.Status, resp.Body)
		}
	})
}
