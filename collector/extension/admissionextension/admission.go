package sightlineadmissionextension

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Outcomes of one admission decision, the `outcome` attribute of the requests counter.
const (
	outcomeAdmitted = "admitted"
	outcomeFull     = "refused_queue_full"
	outcomeTimeout  = "refused_wait_timeout"
)

type admission struct {
	component.StartFunc
	component.ShutdownFunc

	cfg *Config
	// slots holds one token per request in the pipeline.
	slots   chan struct{}
	waiting atomic.Int64

	requests metric.Int64Counter
	refusal  *status.Status
}

var (
	_ extensionmiddleware.GRPCServer = (*admission)(nil)
	_ extensionmiddleware.HTTPServer = (*admission)(nil)
)

func newAdmission(cfg *Config, set component.TelemetrySettings) (*admission, error) {
	requests, err := set.MeterProvider.Meter("github.com/sightline/collector/extension/admissionextension").Int64Counter(
		"otelcol_sightline_admission_requests",
		metric.WithDescription("OTLP export requests by admission outcome (admitted, refused_queue_full, refused_wait_timeout)"),
		metric.WithUnit("{request}"),
	)
	if err != nil {
		return nil, err
	}
	refusal, err := status.New(codes.Unavailable, "collector at capacity, retry later").WithDetails(
		&errdetails.RetryInfo{RetryDelay: durationpb.New(cfg.RetryAfter)},
	)
	if err != nil {
		return nil, err
	}
	return &admission{
		cfg:      cfg,
		slots:    make(chan struct{}, cfg.MaxInFlight),
		requests: requests,
		refusal:  refusal,
	}, nil
}

// acquire takes a slot, waiting up to MaxWait when all are busy. It returns the outcome; only
// outcomeAdmitted holds a slot, which release gives back.
func (a *admission) acquire(ctx context.Context) (string, error) {
	select {
	case a.slots <- struct{}{}:
		return outcomeAdmitted, nil
	default:
	}
	if a.waiting.Add(1) > int64(a.cfg.MaxWaiting) {
		a.waiting.Add(-1)
		return outcomeFull, nil
	}
	defer a.waiting.Add(-1)
	timer := time.NewTimer(a.cfg.MaxWait)
	defer timer.Stop()
	select {
	case a.slots <- struct{}{}:
		return outcomeAdmitted, nil
	case <-timer.C:
		return outcomeTimeout, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (a *admission) release() { <-a.slots }

func (a *admission) record(ctx context.Context, outcome string) {
	a.requests.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}

// GetGRPCServerOptions adds a unary interceptor: OTLP/gRPC export is a unary call.
func (a *admission) GetGRPCServerOptions(context.Context) ([]grpc.ServerOption, error) {
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(a.unary)}, nil
}

func (a *admission) unary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	outcome, err := a.acquire(ctx)
	if err != nil {
		return nil, status.FromContextError(err).Err()
	}
	a.record(ctx, outcome)
	if outcome != outcomeAdmitted {
		return nil, a.refusal.Err()
	}
	defer a.release()
	return handler(ctx, req)
}

// GetHTTPHandler wraps the OTLP/HTTP handler the same way: 503 with Retry-After is retryable in OTLP/HTTP.
func (a *admission) GetHTTPHandler(context.Context) (extensionmiddleware.WrapHTTPHandlerFunc, error) {
	retryAfter := strconv.Itoa(int(a.cfg.RetryAfter / time.Second))
	return func(_ context.Context, next http.Handler) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			outcome, err := a.acquire(r.Context())
			if err != nil {
				// The client went away while waiting: nobody reads the answer.
				return
			}
			a.record(r.Context(), outcome)
			if outcome != outcomeAdmitted {
				w.Header().Set("Retry-After", retryAfter)
				http.Error(w, "collector at capacity, retry later", http.StatusServiceUnavailable)
				return
			}
			defer a.release()
			next.ServeHTTP(w, r)
		}), nil
	}, nil
}
