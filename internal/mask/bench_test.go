package mask

import "testing"

func BenchmarkText(b *testing.B) {
	for _, s := range []string{"Deployment/shop/web", "container web env DB_URL points at IP 10.0.0.7 instead of a DNS name", "https://api.example.com/v1/health?x=1"} {
		b.Run(s[:5], func(b *testing.B) {
			for b.Loop() {
				_ = Text(s)
			}
		})
	}
}

func BenchmarkIsSecret(b *testing.B) {
	for b.Loop() {
		_ = IsSecret("requestHeaders")
	}
}
