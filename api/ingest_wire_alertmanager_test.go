package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestAlertmanagerLargeGroupIsAccepted: Alertmanager's webhook notifier
// sends a whole aggregation group in one request, with no size limit and
// no way to split it (notify/webhook/webhook.go; max_alerts only drops the
// alerts past the limit, and docs/integrations.md says to keep it 0). A
// group of a few hundred ordinary kube-prometheus alerts (a node failure
// turning every pod on it NotReady) is larger than 512 KiB: it was
// answered 413, which Alertmanager does not retry, and sent again, whole,
// every group_interval, answered 413 each time, so none of its alerts,
// the outage itself, ever reached Hypercare. ingest.max_body_bytes cannot
// be raised above 512 KiB.
func TestAlertmanagerLargeGroupIsAccepted(t *testing.T) {
	e := newEnv(t, storetestEngines(t)[0].Open(t), 0)
	type alert struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     string            `json:"startsAt"`
		EndsAt       string            `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	}
	const n = 500
	alerts := make([]alert, n)
	for i := range alerts {
		pod := fmt.Sprintf("checkout-api-7d9f8c6b5d-%05d", i)
		alerts[i] = alert{
			Status: "firing",
			Labels: map[string]string{"alertname": "KubePodNotReady", "namespace": "shop", "pod": pod,
				"severity": "warning", "prometheus": "monitoring/k8s", "cluster": "prod-eu-1",
				"container": "kube-rbac-proxy-main", "endpoint": "https-main", "job": "kube-state-metrics",
				"service": "kube-prometheus-stack-kube-state-metrics", "instance": "10.2.3.4:8443"},
			Annotations: map[string]string{
				"summary":     "Pod has been in a non-ready state for more than 15 minutes.",
				"description": "Pod shop/" + pod + " has been in a non-ready state for longer than 15 minutes on cluster prod-eu-1.",
				"runbook_url": "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodnotready"},
			StartsAt: "2026-11-27T07:41:30.512Z", EndsAt: "0001-01-01T00:00:00Z",
			GeneratorURL: "http://prometheus.monitoring.svc:9090/graph?g0.expr=sum+by+%28namespace%2C+pod%2C+cluster%29+%28max+by+%28namespace%2C+pod%2C+cluster%29+%28kube_pod_status_phase%7Bjob%3D%22kube-state-metrics%22%2Cphase%3D~%22Pending%7CUnknown%7CFailed%22%7D%29%29+%3E+0&g0.tab=1",
			Fingerprint:  fmt.Sprintf("%016x", 0x5a5a0000+i),
		}
	}
	body, _ := json.Marshal(map[string]any{
		"receiver": "hypercare", "status": "firing", "alerts": alerts,
		"groupLabels": map[string]string{"alertname": "KubePodNotReady"}, "commonLabels": map[string]string{"alertname": "KubePodNotReady"},
		"commonAnnotations": map[string]string{}, "externalURL": "http://alertmanager.monitoring.svc:9093",
		"version": "4", "groupKey": `{}/{severity="warning"}:{alertname="KubePodNotReady"}`, "truncatedAlerts": 0,
	})
	resp, err := http.Post(e.url+"/integrations/"+keyAlertmanager, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("Alertmanager group of %d alerts (%d bytes, %.0f per alert): %d %s, want 202",
			n, len(body), float64(len(body))/n, resp.StatusCode, raw)
	}
}
