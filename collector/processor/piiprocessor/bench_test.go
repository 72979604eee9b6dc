package sightlinepiiprocessor

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// benchTraces is a typical batch: 100 server spans with the attributes an HTTP + DB service sets,
// one in ten carrying something to redact.
func benchTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "divan-api")
	rs.Resource().Attributes().PutStr("service.version", "2.14.0-rc.1")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := 0; i < 100; i++ {
		s := spans.AppendEmpty()
		s.SetName("GET /api/orders/:orderId")
		a := s.Attributes()
		a.PutStr("http.route", "/api/orders/:orderId")
		a.PutStr("http.request.method", "GET")
		a.PutInt("http.response.status_code", 200)
		a.PutStr("url.path", fmt.Sprintf("/api/orders/ORD-2024-%06d", i))
		a.PutStr("client.address", "203.0.113.195")
		a.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36")
		if i%10 == 0 {
			a.PutStr("url.query", "to=maria.gonzalez%40example.com&lat=41.0082376&lon=28.9783589")
		}
	}
	return td
}

// BenchmarkTraces100Spans: the same batch again and again, so repeated clean values hit the
// clean-value set (steady state for routes, methods, user agents).
func BenchmarkTraces100Spans(b *testing.B) { benchTraces100(b, false) }

// BenchmarkTraces100SpansCold: the clean-value set is emptied before every batch, so every value
// is scrubbed from scratch (the worst case: all values unique).
func BenchmarkTraces100SpansCold(b *testing.B) { benchTraces100(b, true) }

func benchTraces100(b *testing.B, cold bool) {
	s := newTestScrubber(b)
	src := benchTraces()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		if cold {
			s.rules.clean.Store(&cleanSet{})
		}
		b.StartTimer()
		s.processTraces(context.Background(), td)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/span")
}

func BenchmarkScrubStringClean(b *testing.B) {
	r := loadRepoRules(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.ScrubString("", "GET /api/orders/:orderId")
	}
}

func BenchmarkScrubStringSecrets(b *testing.B) {
	r := loadRepoRules(b)
	v := "invite to maria.gonzalez@example.com from 203.0.113.195, Bearer abcdef0123456789, card 4111 1111 1111 1111"
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.ScrubString("", v)
	}
}
