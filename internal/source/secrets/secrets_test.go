package secrets

import (
	"strings"
	"testing"
)

func TestK8sLiterals(t *testing.T) {
	in := "kind: ConfigMap\ndata: {a: b}\n---\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata:\n  token: c2VjcmV0LXZhbHVlLWhlcmU=\n  empty: \"\"\nstringData:\n  tpl: '{{ .Values.x }}'\n"
	got := k8sLiterals("s.yaml", []byte(in))
	if len(got) != 1 || got[0].Key != "token" || got[0].Line != 7 || got[0].Object != "Secret/n/s" || strings.Contains(got[0].Masked, "LXZh") {
		t.Errorf("got %+v", got)
	}
}

func FuzzK8sLiterals(f *testing.F) {
	f.Add([]byte("kind: Secret\ndata:\n  a: b\n"))
	f.Add([]byte("kind: SealedSecret\nspec:\n  encryptedData:\n    a: |\n      x\n      y\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = k8sLiterals("f.yaml", data)
		_ = encryptedLines("f.yaml", data)
	})
}
