package rest

import "testing"

func TestFlattenConnections(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a":1,"b":{"edges":[{"node":{"x":1}},{"node":{"x":2}}]},"c":[{"edges":[]}]}`, `{"a":1,"b":[{"x":1},{"x":2}],"c":[[]]}`},
		{`{"edges":[{"node":{"deep":{"edges":[{"node":"s"}]}}}]}`, `[{"deep":["s"]}]`},
		{`{"totalCount":2,"edges":[{"node":1}]}`, `{"totalCount":2,"edges":[{"node":1}]}`},
		{`{"z":"\"edges\"","a":null}`, `{"z":"\"edges\"","a":null}`},
		{`[1,"x",true]`, `[1,"x",true]`},
	} {
		got, err := flattenConnections([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("flatten(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}
