package sightlinepiiprocessor

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
)

const email = "maria.gonzalez@example.com"

func newTestScrubber(t testing.TB) *scrubber {
	return &scrubber{rules: loadRepoRules(t)}
}

// nested puts v under n levels of maps and arrays.
func nested(m pcommon.Map, n int, v string) {
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			m = m.PutEmptyMap("m")
		} else {
			m = m.PutEmptySlice("a").AppendEmpty().SetEmptyMap()
		}
	}
	m.PutStr("leaf", v)
}

func TestTracesEveryPosition(t *testing.T) {
	s := newTestScrubber(t)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("host.owner", email)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().Attributes().PutStr("scope.note", email)
	span := ss.Spans().AppendEmpty()
	span.SetName("invite " + email)
	span.Status().SetMessage("failed for " + email)
	span.Attributes().PutStr("message", email)
	span.Attributes().PutEmptySlice("http.request.header.x-user").AppendEmpty().SetStr(email)
	arr := span.Attributes().PutEmptySlice("notes")
	arr.AppendEmpty().SetStr("to " + email)
	nested(span.Attributes().PutEmptyMap("ctx"), 10, email)
	span.Attributes().PutStr("url.full", "https://x.example/i?to=maria.gonzalez%40example.com")
	span.Attributes().PutStr("http.request.header.content-type", "application/json")
	span.Attributes().PutDouble("geo.lat", 41.0082376)
	span.Attributes().PutStr("user.password", "Tr1cky-N0-Pattern")
	span.Attributes().PutStr("db.query.text", "SELECT 1 FROM users WHERE last_name = 'Okonkwo'")
	ev := span.Events().AppendEmpty()
	ev.SetName("mail " + email)
	ev.Attributes().PutStr("exception.message", "no mailbox "+email)
	link := span.Links().AppendEmpty()
	link.Attributes().PutStr("peer", email)
	if _, err := s.processTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	out := dumpTraces(t, td)
	for _, leak := range []string{"maria", "Tr1cky", "Okonkwo", "41.0082376"} {
		if strings.Contains(out, leak) {
			t.Errorf("%q leaked: %s", leak, out)
		}
	}
	attrs := span.Attributes()
	if v, _ := attrs.Get("http.request.header.content-type"); v.Str() != "application/json" {
		t.Errorf("allowed header changed: %q", v.Str())
	}
	if _, ok := attrs.Get("http.request.header.x-user"); ok {
		t.Error("unknown header kept")
	}
	if v, _ := attrs.Get("geo.lat"); v.Double() != 41.01 {
		t.Errorf("geo.lat = %v", v.Double())
	}
	if v, _ := attrs.Get("db.query.text"); v.Str() != "SELECT ? FROM users WHERE last_name = ?" {
		t.Errorf("sql = %q", v.Str())
	}
}

func dumpTraces(t testing.TB, td ptrace.Traces) string {
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLabelsOnlyScrubsNamesAndRoute(t *testing.T) {
	s := newTestScrubber(t)
	s.labelsOnly, s.labelAttributes = true, []string{"http.route"}
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("GET /u/" + email)
	span.Attributes().PutStr("http.route", "/u/"+email)
	span.Attributes().PutStr("message", email)
	s.processTraces(context.Background(), td)
	if strings.Contains(span.Name(), "maria") {
		t.Error(span.Name())
	}
	if v, _ := span.Attributes().Get("http.route"); strings.Contains(v.Str(), "maria") {
		t.Error(v.Str())
	}
	if v, _ := span.Attributes().Get("message"); v.Str() != email {
		t.Error("labels mode touched other attributes")
	}
}

func TestLogsBodiesAtAnyDepth(t *testing.T) {
	s := newTestScrubber(t)
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	records.AppendEmpty().Body().SetStr("login " + email)
	m := records.AppendEmpty().Body().SetEmptyMap()
	errMap := m.PutEmptyMap("err")
	errMap.PutStr("message", "bad "+email)
	errMap.PutEmptyMap("cause").PutStr("stack", "Error: 198.51.100.23 down\n at x")
	m.PutEmptyMap("req").PutEmptyMap("headers").PutStr("x-user-email", "olu@example.ng")
	sl := records.AppendEmpty().Body().SetEmptySlice()
	sl.AppendEmpty().SetStr(email)
	sl.AppendEmpty().SetEmptySlice().AppendEmpty().SetStr("+44 20 7946 0958")
	rec := records.AppendEmpty()
	rec.Attributes().PutStr("detail", email)
	rec.SetEventName("signup " + email)
	s.processLogs(context.Background(), ld)
	b, _ := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	for _, leak := range []string{"maria", "100.23", "olu@", "7946"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("%q leaked: %s", leak, b)
		}
	}
}

func TestMetricsEveryType(t *testing.T) {
	s := newTestScrubber(t)
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	ms.AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty().Attributes().PutStr("u", email)
	ms.AppendEmpty().SetEmptySum().DataPoints().AppendEmpty().Attributes().PutStr("u", email)
	h := ms.AppendEmpty().SetEmptyHistogram().DataPoints().AppendEmpty()
	h.Attributes().PutStr("u", email)
	h.Exemplars().AppendEmpty().FilteredAttributes().PutStr("u", email)
	ms.AppendEmpty().SetEmptyExponentialHistogram().DataPoints().AppendEmpty().Attributes().PutStr("u", email)
	ms.AppendEmpty().SetEmptySummary().DataPoints().AppendEmpty().Attributes().PutStr("u", email)
	s.processMetrics(context.Background(), md)
	b, _ := (&pmetric.JSONMarshaler{}).MarshalMetrics(md)
	if strings.Contains(string(b), "maria") {
		t.Errorf("leaked: %s", b)
	}
	if strings.Count(string(b), "[REDACTED_EMAIL]") != 6 {
		t.Errorf("want 6 redactions: %s", b)
	}
}

// A 10 MB string and 10,000-deep nesting: bounded time, bounded extra memory, no crash.
func TestHugeAndDeepValuesAreBounded(t *testing.T) {
	s := newTestScrubber(t)
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	big := strings.Repeat("a@b ", 10<<20/4) + email
	records.AppendEmpty().Body().SetStr(big)
	nested(records.AppendEmpty().Body().SetEmptyMap(), 10_000, email)
	deepSlice := records.AppendEmpty().Body().SetEmptySlice()
	for i := 0; i < 10_000; i++ {
		deepSlice = deepSlice.AppendEmpty().SetEmptySlice()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	s.processLogs(context.Background(), ld)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if elapsed > 5*time.Second {
		t.Errorf("took %s", elapsed)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("allocated %d MiB", grew>>20)
	}
	body := records.At(0).Body().Str()
	if len(body) > 1<<20+64 || !strings.HasSuffix(body, "[TRUNCATED]") {
		t.Errorf("10 MB body not cut: %d bytes", len(body))
	}
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "maria") {
		t.Error("deep value leaked")
	}
	if !strings.Contains(string(b), "[TRUNCATED_DEPTH]") {
		t.Error("no depth marker")
	}
	t.Logf("10 MB string + 2 x 10,000-deep values: %s, %d MiB allocated", elapsed, (after.TotalAlloc-before.TotalAlloc)>>20)
}

func TestFactoryRejectsBadRulesNamingTheRule(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.RulesFile = repoRules
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	next := new(consumertest.TracesSink)
	set := processortest.NewNopSettings(component.MustNewType("sightline_pii"))
	p, err := f.CreateTraces(context.Background(), set, cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("to " + email)
	if err := p.ConsumeTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	if got := next.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name(); got != "to [REDACTED_EMAIL]" {
		t.Errorf("name %q", got)
	}
	cfg.RulesFile = "/nonexistent/rules.yaml"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "rules_file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := f.CreateLogs(context.Background(), set, cfg, new(consumertest.LogsSink)); err == nil {
		t.Error("created with a missing rules file")
	}
}
