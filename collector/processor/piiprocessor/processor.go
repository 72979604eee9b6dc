package sightlinepiiprocessor

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// scrubber walks every signal once and hands each string to the compiled rules.
type scrubber struct {
	rules           *Rules
	labelsOnly      bool
	labelAttributes []string
}

func (s *scrubber) str(key, v string, set func(string)) {
	if out, ok := s.rules.ScrubString(key, v); ok {
		set(out)
	}
}

func (s *scrubber) processTraces(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	r := s.rules
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		if !s.labelsOnly {
			r.ScrubMap(rs.Resource().Attributes())
		}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			if !s.labelsOnly {
				r.ScrubMap(ss.Scope().Attributes())
			}
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				s.str("", span.Name(), span.SetName)
				if s.labelsOnly {
					attrs := span.Attributes()
					for _, key := range s.labelAttributes {
						if v, ok := attrs.Get(key); ok {
							r.ScrubValue(key, v)
						}
					}
					continue
				}
				s.scrubSpan(span)
			}
		}
	}
	return td, nil
}

func (s *scrubber) scrubSpan(span ptrace.Span) {
	r := s.rules
	status := span.Status()
	s.str("", status.Message(), status.SetMessage)
	r.ScrubMap(span.Attributes())
	events := span.Events()
	for i := 0; i < events.Len(); i++ {
		e := events.At(i)
		s.str("", e.Name(), e.SetName)
		r.ScrubMap(e.Attributes())
	}
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		r.ScrubMap(links.At(i).Attributes())
	}
}

func (s *scrubber) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	r := s.rules
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		r.ScrubMap(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			r.ScrubMap(sl.Scope().Attributes())
			records := sl.LogRecords()
			for k := 0; k < records.Len(); k++ {
				rec := records.At(k)
				r.ScrubValue("", rec.Body())
				r.ScrubMap(rec.Attributes())
				s.str("", rec.EventName(), rec.SetEventName)
			}
		}
	}
	return ld, nil
}

func (s *scrubber) processMetrics(_ context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	r := s.rules
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		r.ScrubMap(rm.Resource().Attributes())
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			r.ScrubMap(sm.Scope().Attributes())
			metrics := sm.Metrics()
			for k := 0; k < metrics.Len(); k++ {
				s.scrubMetric(metrics.At(k))
			}
		}
	}
	return md, nil
}

// scrubMetric scrubs the data point attributes (Prometheus label values) and exemplar
// attributes of every metric type.
func (s *scrubber) scrubMetric(m pmetric.Metric) {
	r := s.rules
	point := func(attrs pcommon.Map, exemplars pmetric.ExemplarSlice) {
		r.ScrubMap(attrs)
		for i := 0; i < exemplars.Len(); i++ {
			r.ScrubMap(exemplars.At(i).FilteredAttributes())
		}
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeSum:
		dps := m.Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			point(dps.At(i).Attributes(), dps.At(i).Exemplars())
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			r.ScrubMap(dps.At(i).Attributes())
		}
	}
}
