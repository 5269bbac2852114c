package jsonstr

import (
	"encoding/json"
	"testing"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		in, plain, script string
	}{
		{"plain", `"plain"`, `"plain"`},
		{"q\"b\\", `"q\"b\\"`, `"q\"b\\"`},
		{"\n\r\t\x01", `"\n\r\t\u0001"`, `"\n\r\t\u0001"`},
		{"</script><!--&", `"</script><!--&"`, `"\u003c/script\u003e\u003c!--\u0026"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`, `"bad\ufffdutf8"`},
		{"line\u2028para\u2029", `"line\u2028para\u2029"`, `"line\u2028para\u2029"`},
		{"héllo", `"héllo"`, `"héllo"`},
	}
	for _, tt := range tests {
		if got := string(Append([]byte("x"), tt.in)); got != "x"+tt.plain {
			t.Errorf("Append(%q) = %s, want %s", tt.in, got, "x"+tt.plain)
		}
		if got := string(AppendScript(nil, tt.in)); got != tt.script {
			t.Errorf("AppendScript(%q) = %s, want %s", tt.in, got, tt.script)
		}
		var back string
		if err := json.Unmarshal(AppendScript(nil, tt.in), &back); err != nil {
			t.Errorf("AppendScript(%q) is not JSON: %v", tt.in, err)
		}
	}
}
