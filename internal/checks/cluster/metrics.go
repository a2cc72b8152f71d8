package cluster

import autoscalingv2 "k8s.io/api/autoscaling/v2"

type autoscalingMetric = autoscalingv2.MetricStatus

// metricHasValue reports whether an HPA metric status carries a current
// value; the controller leaves it empty when it cannot read the metric.
func metricHasValue(m autoscalingv2.MetricStatus) bool {
	cur := func(v autoscalingv2.MetricValueStatus) bool {
		return v.Value != nil || v.AverageValue != nil || v.AverageUtilization != nil
	}
	switch {
	case m.Resource != nil:
		return cur(m.Resource.Current)
	case m.ContainerResource != nil:
		return cur(m.ContainerResource.Current)
	case m.Pods != nil:
		return cur(m.Pods.Current)
	case m.Object != nil:
		return cur(m.Object.Current)
	case m.External != nil:
		return cur(m.External.Current)
	}
	return false
}
