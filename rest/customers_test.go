package rest_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cargoman/cargoman/internal/testenv"
)

const root = testenv.RootToken

type customerJSON struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	Email            *string `json:"email"`
	ExternalID       *string `json:"external_id"`
	Status           string  `json:"status"`
	SuspensionReason *string `json:"suspension_reason"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func createCustomer(t *testing.T, s *testenv.Server, body map[string]any) customerJSON {
	t.Helper()
	resp := s.Do(t, http.MethodPost, "/api/v1/customers", root, body)
	if resp.Status != http.StatusCreated {
		t.Fatalf("create customer: %d %s", resp.Status, resp.Body)
	}
	var c customerJSON
	resp.JSON(t, &c)
	return c
}

func TestCustomerLifecycle(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		c := createCustomer(t, s, map[string]any{"name": "Acme Corp", "email": "dev@acme.com", "external_id": "stripe_cus_abc123"})
		if !strings.HasPrefix(c.ID, "cus_") || c.Name != "Acme Corp" || *c.Email != "dev@acme.com" ||
			*c.ExternalID != "stripe_cus_abc123" || c.Status != "active" || c.SuspensionReason != nil || c.CreatedAt == "" {
			t.Fatalf("created customer = %+v", c)
		}

		var got customerJSON
		for _, path := range []string{"/api/v1/customers/" + c.ID, "/api/v1/customers/by-external/stripe_cus_abc123"} {
			resp := s.Do(t, http.MethodGet, path, root, nil)
			if resp.Status != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, resp.Status, resp.Body)
			}
			resp.JSON(t, &got)
			if !reflect.DeepEqual(got, c) {
				t.Fatalf("GET %s = %+v, want %+v", path, got, c)
			}
		}

		// PATCH changes only what is sent; null clears.
		resp := s.Do(t, http.MethodPatch, "/api/v1/customers/"+c.ID, root, map[string]any{"name": "Acme Corporation"})
		resp.JSON(t, &got)
		if resp.Status != http.StatusOK || got.Name != "Acme Corporation" || *got.Email != "dev@acme.com" || *got.ExternalID != "stripe_cus_abc123" {
			t.Fatalf("PATCH name: %d %s", resp.Status, resp.Body)
		}
		resp = s.Do(t, http.MethodPatch, "/api/v1/customers/"+c.ID, root, `{"email":"team@acme.com","external_id":null}`)
		resp.JSON(t, &got)
		if resp.Status != http.StatusOK || got.Name != "Acme Corporation" || *got.Email != "team@acme.com" || got.ExternalID != nil {
			t.Fatalf("PATCH email, clear external_id: %d %s", resp.Status, resp.Body)
		}

		resp = s.Do(t, http.MethodPost, "/api/v1/customers/"+c.ID+"/suspend", root, map[string]any{"reason": "Payment failed"})
		resp.JSON(t, &got)
		if resp.Status != http.StatusOK || got.Status != "suspended" || got.SuspensionReason == nil || *got.SuspensionReason != "Payment failed" {
			t.Fatalf("suspend: %d %s", resp.Status, resp.Body)
		}
		resp = s.Do(t, http.MethodPost, "/api/v1/customers/"+c.ID+"/reactivate", root, nil)
		resp.JSON(t, &got)
		if resp.Status != http.StatusOK || got.Status != "active" || got.SuspensionReason != nil {
			t.Fatalf("reactivate: %d %s", resp.Status, resp.Body)
		}

		resp = s.Do(t, http.MethodDelete, "/api/v1/customers/"+c.ID, root, nil)
		if resp.Status != http.StatusNoContent || len(resp.Body) != 0 {
			t.Fatalf("delete: %d %q", resp.Status, resp.Body)
		}
		for _, path := range []string{"/api/v1/customers/" + c.ID} {
			if resp := s.Do(t, http.MethodGet, path, root, nil); resp.Status != http.StatusNotFound {
				t.Fatalf("GET after delete: %d %s", resp.Status, resp.Body)
			}
		}
		if resp := s.Do(t, http.MethodDelete, "/api/v1/customers/"+c.ID, root, nil); resp.Status != http.StatusNotFound {
			t.Fatalf("second delete: %d %s", resp.Status, resp.Body)
		}
	})
}

func TestCustomerListPaginationAndFilters(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		var ids []string
		for i := 0; i < 7; i++ {
			c := createCustomer(t, s, map[string]any{"name": "Customer " + string(rune('A'+i)), "email": "c" + string(rune('a'+i)) + "@example.com"})
			ids = append(ids, c.ID)
		}
		s.Do(t, http.MethodPost, "/api/v1/customers/"+ids[1]+"/suspend", root, map[string]any{"reason": "late"})
		s.Do(t, http.MethodPost, "/api/v1/customers/"+ids[4]+"/suspend", root, nil)

		for _, tc := range []struct {
			query      string
			wantIDs    []string
			count      string
			page       string
			pageTotal  string
			pageSize   string
			wantLinks  []string
			noLinkRels []string
		}{
			{query: "", wantIDs: ids, count: "7", page: "1", pageTotal: "1", pageSize: "30", noLinkRels: []string{"first", "prev", "next", "last"}},
			{query: "?per_page=3", wantIDs: ids[0:3], count: "7", page: "1", pageTotal: "3", pageSize: "3",
				wantLinks: []string{`/api/v1/customers?page=1&per_page=3>; rel="first"`, `/api/v1/customers?page=2&per_page=3>; rel="next"`, `/api/v1/customers?page=3&per_page=3>; rel="last"`}, noLinkRels: []string{"prev"}},
			{query: "?page=2&per_page=3", wantIDs: ids[3:6], count: "7", page: "2", pageTotal: "3", pageSize: "3",
				wantLinks: []string{`?page=1&per_page=3>; rel="prev"`, `?page=3&per_page=3>; rel="next"`}},
			{query: "?page=3&page_size=3", wantIDs: ids[6:7], count: "7", page: "3", pageTotal: "3", pageSize: "3",
				wantLinks: []string{`?page=2&page_size=3>; rel="prev"`}, noLinkRels: []string{"next"}},
			{query: "?page=9&per_page=3", wantIDs: nil, count: "7", page: "9", pageTotal: "3", pageSize: "3"},
			{query: "?status=suspended", wantIDs: []string{ids[1], ids[4]}, count: "2", page: "1", pageTotal: "1", pageSize: "30"},
			{query: "?status=active&page=1&per_page=20", wantIDs: []string{ids[0], ids[2], ids[3], ids[5], ids[6]}, count: "5", page: "1", pageTotal: "1", pageSize: "20"},
			{query: "?search=CUSTOMER%20c", wantIDs: []string{ids[2]}, count: "1", page: "1", pageTotal: "1", pageSize: "30"},
			{query: "?search=cg@example", wantIDs: []string{ids[6]}, count: "1", page: "1", pageTotal: "1", pageSize: "30"},
		} {
			t.Run(tc.query, func(t *testing.T) {
				resp := s.Do(t, http.MethodGet, "/api/v1/customers"+tc.query, root, nil)
				if resp.Status != http.StatusOK {
					t.Fatalf("status %d: %s", resp.Status, resp.Body)
				}
				var list []customerJSON
				resp.JSON(t, &list)
				var got []string
				for _, c := range list {
					got = append(got, c.ID)
				}
				if strings.Join(got, ",") != strings.Join(tc.wantIDs, ",") {
					t.Errorf("ids = %v, want %v", got, tc.wantIDs)
				}
				for h, want := range map[string]string{"X-Pagination-Count": tc.count, "X-Pagination-Page": tc.page, "X-Pagination-PageTotal": tc.pageTotal, "X-Pagination-PageSize": tc.pageSize} {
					if v := resp.Header.Get(h); v != want {
						t.Errorf("%s = %q, want %q", h, v, want)
					}
				}
				link := resp.Header.Get("Link")
				for _, want := range tc.wantLinks {
					if !strings.Contains(link, want) {
						t.Errorf("Link %q lacks %q", link, want)
					}
				}
				for _, rel := range tc.noLinkRels {
					if strings.Contains(link, `rel="`+rel+`"`) {
						t.Errorf("Link %q has rel %s", link, rel)
					}
				}
				if link != "" && !strings.HasPrefix(link, "<"+s.URL+"/api/v1/customers?") {
					t.Errorf("Link %q is not absolute on PUBLIC_URL", link)
				}
			})
		}
	})
}

func TestCustomerBadInput(t *testing.T) {
	testenv.ForEach(t, func(t *testing.T, b testenv.Backend) {
		s := testenv.StartServer(t, b)
		existing := createCustomer(t, s, map[string]any{"name": "Taken", "external_id": "ext-1"})
		other := createCustomer(t, s, map[string]any{"name": "Other"})
		long := strings.Repeat("x", 201)
		for _, tc := range []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"malformed JSON", "POST", "/api/v1/customers", `{"name":`, 400, "VALIDATION_ERROR", ""},
			{"not an object", "POST", "/api/v1/customers", `["name"]`, 400, "VALIDATION_ERROR", ""},
			{"two documents", "POST", "/api/v1/customers", `{"name":"a"} {"name":"b"}`, 400, "VALIDATION_ERROR", ""},
			{"missing name", "POST", "/api/v1/customers", map[string]any{"email": "a@b.co"}, 400, "VALIDATION_ERROR", "name"},
			{"empty name", "POST", "/api/v1/customers", map[string]any{"name": "  "}, 400, "VALIDATION_ERROR", "name"},
			{"long name", "POST", "/api/v1/customers", map[string]any{"name": long}, 400, "VALIDATION_ERROR", "name"},
			{"name of wrong type", "POST", "/api/v1/customers", `{"name": 42}`, 400, "VALIDATION_ERROR", "name"},
			{"invalid email", "POST", "/api/v1/customers", map[string]any{"name": "A", "email": "not-an-email"}, 400, "VALIDATION_ERROR", "email"},
			{"invalid external_id", "POST", "/api/v1/customers", map[string]any{"name": "A", "external_id": "has space"}, 400, "VALIDATION_ERROR", "external_id"},
			{"unknown field", "POST", "/api/v1/customers", map[string]any{"name": "A", "colour": "red"}, 400, "VALIDATION_ERROR", "colour"},
			{"duplicate external_id", "POST", "/api/v1/customers", map[string]any{"name": "A", "external_id": "ext-1"}, 409, "CONFLICT", "external_id"},
			{"duplicate external_id on update", "PATCH", "/api/v1/customers/" + other.ID, map[string]any{"external_id": "ext-1"}, 409, "CONFLICT", "external_id"},
			{"null name on update", "PATCH", "/api/v1/customers/" + existing.ID, `{"name": null}`, 400, "VALIDATION_ERROR", "name"},
			{"update unknown id", "PATCH", "/api/v1/customers/cus_unknown", map[string]any{"name": "A"}, 404, "NOT_FOUND", ""},
			{"get unknown id", "GET", "/api/v1/customers/cus_unknown", nil, 404, "NOT_FOUND", ""},
			{"unknown external id", "GET", "/api/v1/customers/by-external/nobody", nil, 404, "NOT_FOUND", ""},
			{"suspend unknown id", "POST", "/api/v1/customers/cus_unknown/suspend", nil, 404, "NOT_FOUND", ""},
			{"long reason", "POST", "/api/v1/customers/" + existing.ID + "/suspend", map[string]any{"reason": strings.Repeat("r", 1001)}, 400, "VALIDATION_ERROR", "suspension_reason"},
			{"unknown status", "GET", "/api/v1/customers?status=gone", nil, 400, "VALIDATION_ERROR", "status"},
			{"page zero", "GET", "/api/v1/customers?page=0", nil, 400, "VALIDATION_ERROR", "page"},
			{"page not a number", "GET", "/api/v1/customers?page=two", nil, 400, "VALIDATION_ERROR", "page"},
			{"per_page too big", "GET", "/api/v1/customers?per_page=501", nil, 400, "VALIDATION_ERROR", "per_page"},
			{"page_size zero", "GET", "/api/v1/customers?page_size=0", nil, 400, "VALIDATION_ERROR", "page_size"},
			{"unknown route", "GET", "/api/v1/nothing-here", nil, 404, "NOT_FOUND", ""},
			{"wrong method", "PUT", "/api/v1/customers", nil, 405, "METHOD_NOT_ALLOWED", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp := s.Do(t, tc.method, tc.path, root, tc.body)
				var e errorJSON
				resp.JSON(t, &e)
				if resp.Status != tc.status || e.Error.Code != tc.code || e.Error.Field != tc.field || e.Error.Message == "" {
					t.Fatalf("got %d %s, want %d %s field %q", resp.Status, resp.Body, tc.status, tc.code, tc.field)
				}
				if strings.Contains(e.Error.Message, "ent:") || strings.Contains(strings.ToLower(e.Error.Message), "sql") {
					t.Errorf("message leaks internals: %q", e.Error.Message)
				}
			})
		}
		// Nothing was written by the rejected requests.
		resp := s.Do(t, http.MethodGet, "/api/v1/customers", root, nil)
		if n := resp.Header.Get("X-Pagination-Count"); n != "2" {
			t.Fatalf("after bad input, %s customers exist: %s", n, resp.Body)
		}
		var c customerJSON
		s.Do(t, http.MethodGet, "/api/v1/customers/"+existing.ID, root, nil).JSON(t, &c)
		if !reflect.DeepEqual(c, existing) {
			t.Fatalf("customer changed by rejected requests: %+v, was %+v", c, existing)
		}
	})
}
