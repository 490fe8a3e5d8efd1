package rest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/cargoman/cargoman/internal/casing"
)

func TestSnakeKeys(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"externalID":"a\"b","createdAt":"x"}`, `{"external_id":"a\"b","created_at":"x"}`},
		{`[{"totalCount":1},{"nodeIDs":["camelCase","x\\"]}]`, `[{"total_count":1},{"node_ids":["camelCase","x\\"]}]`},
		{`{"a":{"bC":[1,2,{"dE":null}]},"fG":true}`, `{"a":{"b_c":[1,2,{"d_e":null}]},"f_g":true}`},
		{`"plainString"`, `"plainString"`},
		{`{}`, `{}`},
	} {
		got, err := snakeKeys([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("snakeKeys(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`{"a":1`, `]`, `{"a":"x}`} {
		if _, err := snakeKeys([]byte(bad)); err == nil {
			t.Errorf("snakeKeys(%s): want error", bad)
		}
	}
}

// FuzzSnakeKeys checks the byte scanner against decoding, renaming and
// re-encoding.
func FuzzSnakeKeys(f *testing.F) {
	f.Add(`{"externalID":"a\"b","list":[{"createdAt":1}]}`)
	f.Add(`[1,"x",{"y":{"zZ":[]}}]`)
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		compact, _ := json.Marshal(v)
		got, err := snakeKeys(compact)
		if err != nil {
			t.Fatalf("snakeKeys(%s): %v", compact, err)
		}
		var gotV any
		if err := json.Unmarshal(got, &gotV); err != nil {
			t.Fatalf("snakeKeys(%s) = invalid JSON %s", compact, got)
		}
		if want := rename(v); !reflect.DeepEqual(gotV, want) {
			t.Fatalf("snakeKeys(%s) = %s, want %v", compact, got, want)
		}
	})
}

func rename(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range t {
			out[casing.Snake(k)] = rename(val)
		}
		return out
	case []any:
		for i := range t {
			t[i] = rename(t[i])
		}
	}
	return v
}
