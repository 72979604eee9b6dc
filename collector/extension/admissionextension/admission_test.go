package sightlineadmissionextension

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestDefaultConfigIsValid(t *testing.T) {
	if err := createDefaultConfig().(*Config).Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
}

func TestValidateNamesTheBadKey(t *testing.T) {
	for key, mutate := range map[string]func(*Config){
		"max_in_flight": func(c *Config) { c.MaxInFlight = 0 },
		"max_waiting":   func(c *Config) { c.MaxWaiting = -1 },
		"max_wait":      func(c *Config) { c.MaxWait = -time.Second },
		"retry_after":   func(c *Config) { c.RetryAfter = 500 * time.Millisecond },
	} {
		cfg := createDefaultConfig().(*Config)
		mutate(cfg)
		err := cfg.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), key+":") {
			t.Errorf("%s: expected an error naming it, got %v", key, err)
		}
	}
}

// blockingHealth answers Check only when release is closed, so calls stay in flight.
type blockingHealth struct {
	grpc_health_v1.UnimplementedHealthServer
	entered chan struct{}
	release chan struct{}
}

func (h *blockingHealth) Check(context.Context, *grpc_health_v1.HealthCheckRequest) (*grpc_health_v1.HealthCheckResponse, error) {
	h.entered <- struct{}{}
	<-h.release
	return &grpc_health_v1.HealthCheckResponse{Status: grpc_health_v1.HealthCheckResponse_SERVING}, nil
}

func newTestAdmission(t *testing.T, cfg *Config) (*admission, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	set := componenttest.NewNopTelemetrySettings()
	set.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	a, err := newAdmission(cfg, set)
	if err != nil {
		t.Fatal(err)
	}
	return a, reader
}

func outcomes(t *testing.T, reader *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, scope := range rm.ScopeMetrics {
		for _, m := range scope.Metrics {
			if m.Name != "otelcol_sightline_admission_requests" {
				continue
			}
			for _, point := range m.Data.(metricdata.Sum[int64]).DataPoints {
				outcome, _ := point.Attributes.Value("outcome")
				counts[outcome.AsString()] += point.Value
			}
		}
	}
	return counts
}

func TestGRPCAdmitsUpToTheLimitAndRefusesTheRestRetryably(t *testing.T) {
	a, reader := newTestAdmission(t, &Config{MaxInFlight: 2, MaxWaiting: 1, MaxWait: 300 * time.Millisecond, RetryAfter: 3 * time.Second})
	options, err := a.GetGRPCServerOptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	health := &blockingHealth{entered: make(chan struct{}, 16), release: make(chan struct{})}
	server := grpc.NewServer(options...)
	grpc_health_v1.RegisterHealthServer(server, health)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = server.Serve(listener) }()
	defer server.Stop()
	conn, err := grpc.NewClient(listener.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := grpc_health_v1.NewHealthClient(conn)
	call := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := client.Check(ctx, &grpc_health_v1.HealthCheckRequest{})
		return err
	}

	// Two calls take both slots and stay in the handler.
	var wg sync.WaitGroup
	admittedErrs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); admittedErrs <- call() }()
	}
	for range 2 {
		select {
		case <-health.entered:
		case <-time.After(5 * time.Second):
			t.Fatal("the first two calls never reached the handler")
		}
	}

	// A third waits (the one waiting place) and is refused when max_wait passes.
	waited := make(chan error, 1)
	start := time.Now()
	go func() { waited <- call() }()
	deadline := time.Now().Add(5 * time.Second)
	for a.waiting.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the third call never started waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A fourth finds the waiting place taken and is refused at once.
	fourth := call()
	assertRetryableRefusal(t, fourth, 3*time.Second)
	third := <-waited
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond {
		t.Errorf("the waiting call was refused after %s, before max_wait", elapsed)
	}
	assertRetryableRefusal(t, third, 3*time.Second)

	// Releasing the handler completes the admitted calls, and a new call is admitted again.
	close(health.release)
	wg.Wait()
	close(admittedErrs)
	for err := range admittedErrs {
		if err != nil {
			t.Errorf("an admitted call failed: %v", err)
		}
	}
	if err := call(); err != nil {
		t.Errorf("a call after the load went away: %v", err)
	}
	got := outcomes(t, reader)
	want := map[string]int64{outcomeAdmitted: 3, outcomeFull: 1, outcomeTimeout: 1}
	for outcome, n := range want {
		if got[outcome] != n {
			t.Errorf("outcome %s: counted %d, want %d (all: %v)", outcome, got[outcome], n, got)
		}
	}
	if len(a.slots) != 0 || a.waiting.Load() != 0 {
		t.Errorf("slots %d and waiting %d left taken", len(a.slots), a.waiting.Load())
	}
}

func assertRetryableRefusal(t *testing.T, err error, retryAfter time.Duration) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unavailable {
		t.Fatalf("expected UNAVAILABLE, got %v", err)
	}
	for _, detail := range st.Details() {
		if info, ok := detail.(*errdetails.RetryInfo); ok {
			if got := info.GetRetryDelay().AsDuration(); got != retryAfter {
				t.Errorf("RetryInfo delay %s, want %s", got, retryAfter)
			}
			return
		}
	}
	t.Errorf("refusal carries no RetryInfo: %v", st.Details())
}

func TestHTTPRefusesWith503AndRetryAfter(t *testing.T) {
	a, reader := newTestAdmission(t, &Config{MaxInFlight: 1, MaxWaiting: 0, MaxWait: time.Second, RetryAfter: 2 * time.Second})
	wrap, err := a.GetHTTPHandler(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}, 4), make(chan struct{})
	handler, err := wrap(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		entered <- struct{}{}
		<-release
		w.WriteHeader(http.StatusOK)
	}))
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(handler)
	defer server.Close()

	first := make(chan int, 1)
	go func() {
		resp, err := http.Post(server.URL, "application/x-protobuf", strings.NewReader("x"))
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-entered
	resp, err := http.Post(server.URL, "application/x-protobuf", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("second request: %d, Retry-After %q; want 503 and 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("first request: %d, want 200", code)
	}
	got := outcomes(t, reader)
	if got[outcomeAdmitted] != 1 || got[outcomeFull] != 1 {
		t.Errorf("outcomes %v, want 1 admitted and 1 refused_queue_full", got)
	}
}
