package kube

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
)

// Set is every Kubernetes object found in a run's inputs, indexed once.
type Set struct {
	Objects []*Object
	// Errors are the inputs that could not be read or rendered; every other
	// input is still in Objects. The engine reports them.
	Errors []*FileError
	// Waivers are golive.dev/waive.<item> annotations; WaiverErrors the
	// malformed ones (no reason or no expiry).
	Waivers      []Waiver
	WaiverErrors []*FileError

	Charts         []string // chart directories rendered
	Kustomizations []string // kustomization roots built
	Files          []string // raw manifest files read

	// DefaultNamespace is where objects without metadata.namespace go
	// (--namespace), "" when not given.
	DefaultNamespace string

	byKind    map[string][]*Object
	byKindNS  map[string]map[string][]*Object // kind -> effective namespace -> objects
	selectors map[*Object]labels.Selector     // parsed once: PDB, NetworkPolicy, monitors
	workloads []*Workload
	wlByNS    map[string][]*Workload
	scalers   map[string][]*Object   // "ns/Kind/name" of the scale target -> HPAs and ScaledObjects
	byName    map[string]*Object     // "Kind/ns/name" -> first object of that identity
	wlByLabel map[string][]*Workload // "ns\x00key=value" of a pod label -> workloads
	svcByPair map[string][]*Object   // "ns\x00key=value" of one selector pair -> Services
	pdbs      selIndex               // by namespace
	netpols   selIndex               // by namespace
	monitors  selIndex               // ServiceMonitors and PodMonitors, any namespace (they may select across)

	memoMu sync.Mutex
	memo   map[string]any
}

// Memo computes a value derived from the set once (e.g. an index a check
// needs) and returns it to every later caller. Safe for concurrent use.
func (s *Set) Memo(key string, f func() any) any {
	s.memoMu.Lock()
	defer s.memoMu.Unlock()
	if v, ok := s.memo[key]; ok {
		return v
	}
	if s.memo == nil {
		s.memo = map[string]any{}
	}
	v := f()
	s.memo[key] = v
	return v
}

// WorkloadKinds are the kinds that run pods, Argo Rollouts included.
var WorkloadKinds = []string{"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Rollout"}

// Workload is an object that runs pods, with its pod template decoded.
type Workload struct {
	*Object
	Template *corev1.PodTemplateSpec
	// TemplatePath is the path of the pod template in the object, for LineOf.
	TemplatePath string
	Replicas     *int32
	Selector     *metav1.LabelSelector
}

// PodPath is the path of the pod spec, e.g. spec.template.spec.
func (w *Workload) PodPath() string { return w.TemplatePath + ".spec" }

// ContainerPath is the path of a container by index in spec.containers
// (init false) or spec.initContainers (init true).
func (w *Workload) ContainerPath(init bool, i int) string {
	f := "containers"
	if init {
		f = "initContainers"
	}
	return w.PodPath() + "." + f + "[" + itoa(i) + "]"
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

func newSet(objs []*Object, ns string) *Set {
	s := &Set{Objects: objs, DefaultNamespace: ns, byKind: map[string][]*Object{},
		byKindNS: map[string]map[string][]*Object{}, selectors: map[*Object]labels.Selector{}}
	for i, o := range objs {
		o.seq = i
		o.setID = o.Kind + "/" + s.Namespace(o) + "/" + o.Name
		s.byKind[o.Kind] = append(s.byKind[o.Kind], o)
		m := s.byKindNS[o.Kind]
		if m == nil {
			m = map[string][]*Object{}
			s.byKindNS[o.Kind] = m
		}
		m[s.Namespace(o)] = append(m[s.Namespace(o)], o)
		path := ""
		switch o.Kind {
		case "PodDisruptionBudget", "ServiceMonitor", "PodMonitor":
			path = "spec.selector"
		case "NetworkPolicy":
			path = "spec.podSelector"
		}
		if path != "" {
			var matchLabels map[string]string
			if ls, ok := LabelSelectorAt(o, path); ok {
				if sel, err := metav1.LabelSelectorAsSelector(ls); err == nil {
					s.selectors[o] = sel
					matchLabels = ls.MatchLabels
				}
			} else if o.Kind == "NetworkPolicy" {
				s.selectors[o] = labels.Everything()
			}
			if s.selectors[o] != nil {
				switch o.Kind {
				case "PodDisruptionBudget":
					s.pdbs.add(s.Namespace(o), o, matchLabels)
				case "NetworkPolicy":
					s.netpols.add(s.Namespace(o), o, matchLabels)
				default:
					s.monitors.add("", o, matchLabels)
				}
			}
		}
	}
	s.scalers = map[string][]*Object{}
	for _, o := range s.Kind("HorizontalPodAutoscaler", "ScaledObject") {
		kind := o.GetString("spec.scaleTargetRef.kind")
		if kind == "" && o.Kind == "ScaledObject" {
			kind = "Deployment"
		}
		k := s.Namespace(o) + "/" + kind + "/" + o.GetString("spec.scaleTargetRef.name")
		s.scalers[k] = append(s.scalers[k], o)
	}
	s.wlByNS = map[string][]*Workload{}
	s.wlByLabel = map[string][]*Workload{}
	s.byName = map[string]*Object{}
	s.svcByPair = map[string][]*Object{}
	shared := resourceLists{}
	for _, o := range objs {
		id := o.setID
		if _, dup := s.byName[id]; !dup {
			s.byName[id] = o
		}
		w := o.wl
		if !o.wlDone {
			w = workloadOf(o, shared) // an object not made by a builder
		}
		if w != nil {
			ns := s.Namespace(o)
			s.workloads = append(s.workloads, w)
			s.wlByNS[ns] = append(s.wlByNS[ns], w)
			for k, v := range w.Template.Labels {
				s.wlByLabel[ns+"\x00"+k+"="+v] = append(s.wlByLabel[ns+"\x00"+k+"="+v], w)
			}
		}
		if o.Kind != "Service" {
			continue // without converting the object
		}
		if svc, ok := o.Typed().(*corev1.Service); ok && len(svc.Spec.Selector) > 0 {
			// Index under one pair: a workload can only match if it has it.
			keys := make([]string, 0, len(svc.Spec.Selector))
			for k := range svc.Spec.Selector {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			k := s.Namespace(o) + "\x00" + keys[0] + "=" + svc.Spec.Selector[keys[0]]
			s.svcByPair[k] = append(s.svcByPair[k], o)
		}
	}
	return s
}

// ObjectID is Kind/namespace/name with the effective namespace (see
// Namespace), the form findings use.
func (s *Set) ObjectID(o *Object) string {
	if o.setID != "" {
		return o.setID
	}
	return o.Kind + "/" + s.Namespace(o) + "/" + o.Name
}

// Kind returns the objects of the given kinds, in input order per kind.
func (s *Set) Kind(kinds ...string) []*Object {
	if len(kinds) == 1 {
		return s.byKind[kinds[0]]
	}
	var out []*Object
	for _, k := range kinds {
		out = append(out, s.byKind[k]...)
	}
	return out
}

// Lookup finds an object by kind, effective namespace and name.
func (s *Set) Lookup(kind, ns, name string) *Object { return s.byName[kind+"/"+ns+"/"+name] }

// InNamespace returns the objects of a kind in an effective namespace.
func (s *Set) InNamespace(kind, ns string) []*Object { return s.byKindNS[kind][ns] }

// Selector returns the parsed label selector of a PDB, NetworkPolicy,
// ServiceMonitor or PodMonitor (nil when it has none or it is invalid).
func (s *Set) Selector(o *Object) labels.Selector { return s.selectors[o] }

// Kinds lists the kinds present, sorted.
func (s *Set) Kinds() []string {
	out := make([]string, 0, len(s.byKind))
	for k := range s.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Workloads returns every workload with a pod template.
func (s *Set) Workloads() []*Workload { return s.workloads }

// Namespace is where o would be applied: its own namespace or the default.
func (s *Set) Namespace(o *Object) string {
	if o.Namespace != "" {
		return o.Namespace
	}
	return s.DefaultNamespace
}

func (s *Set) sameNS(a, b *Object) bool { return s.Namespace(a) == s.Namespace(b) }

func workloadOf(o *Object, shared resourceLists) *Workload {
	w := workloadTemplate(o)
	if w == nil || w.Template == nil || shared == nil || o.data == nil {
		return w
	}
	spec := &w.Template.Spec
	for init, cs := range [][]corev1.Container{spec.Containers, spec.InitContainers} {
		for i := range cs {
			c := &cs[i]
			p := w.ContainerPath(init == 1, i) + "."
			c.Resources.Requests = share(shared, o, p+"resources.requests", c.Resources.Requests)
			c.Resources.Limits = share(shared, o, p+"resources.limits", c.Resources.Limits)
			c.LivenessProbe = share(shared, o, p+"livenessProbe", c.LivenessProbe)
			c.ReadinessProbe = share(shared, o, p+"readinessProbe", c.ReadinessProbe)
			c.StartupProbe = share(shared, o, p+"startupProbe", c.StartupProbe)
			c.SecurityContext = share(shared, o, p+"securityContext", c.SecurityContext)
		}
	}
	spec.SecurityContext = share(shared, o, w.PodPath()+".securityContext", spec.SecurityContext)
	return w
}

// resourceLists lets containers with the same resources, probes or
// security context, as written, share one decoded value: charts repeat
// the same blocks across every release and workload, and a ResourceList
// alone is ~700 bytes. Keys are the written subtree (structure, kinds and
// text), so two values are only shared when they decode from the same
// input. Used while loading, then dropped; nothing changes a template.
type resourceLists map[string]any

func share[T any](s resourceLists, o *Object, path string, v T) T {
	t := o.data
	i := t.walk(o.root, t.path(path))
	if i < 0 || (t.kind(i) != kMap && t.kind(i) != kSeq) {
		return v
	}
	var b strings.Builder
	b.WriteString(fmt.Sprintf("%T", v))
	for j, end := i, t.end(i); j < end; j++ {
		k := t.kind(j)
		b.WriteByte(0)
		b.WriteByte(byte('0' + k))
		switch k {
		case kMap, kSeq:
			b.WriteString(strconv.Itoa(t.end(j) - j))
		case kNull:
		default:
			b.WriteString(t.text(j))
		}
	}
	key := b.String()
	if prev, ok := s[key].(T); ok {
		return prev
	}
	s[key] = v
	return v
}

// workloadTemplate decodes the pod template and the fields next to it.
func workloadTemplate(o *Object) *Workload {
	if !isWorkloadKind(o.Kind) {
		return nil // without converting the object: most kinds keep no typed form
	}
	w := &Workload{Object: o, TemplatePath: "spec.template"}
	// The template is copied out of the typed object, and the object's typed
	// form is then dropped (Typed converts again if a check asks): the rest
	// of a Deployment or StatefulSet is a large struct no check reads.
	typed := o.Typed()
	defer o.dropTyped()
	switch t := typed.(type) {
	case *appsv1.Deployment:
		w.Template, w.Replicas, w.Selector = copyTemplate(&t.Spec.Template), t.Spec.Replicas, t.Spec.Selector
	case *appsv1.StatefulSet:
		w.Template, w.Replicas, w.Selector = copyTemplate(&t.Spec.Template), t.Spec.Replicas, t.Spec.Selector
	case *appsv1.DaemonSet:
		w.Template, w.Selector = copyTemplate(&t.Spec.Template), t.Spec.Selector
	case *batchv1.Job:
		w.Template, w.Selector = copyTemplate(&t.Spec.Template), t.Spec.Selector
	case *batchv1.CronJob:
		w.Template, w.TemplatePath = copyTemplate(&t.Spec.JobTemplate.Spec.Template), "spec.jobTemplate.spec.template"
	default:
		// Older API versions and Argo Rollouts: decode the template from
		// the raw object, which has the same shape.
		switch o.Kind {
		case "Deployment", "StatefulSet", "DaemonSet", "Job", "Rollout", "ReplicaSet":
		case "CronJob":
			w.TemplatePath = "spec.jobTemplate.spec.template"
		default:
			return nil
		}
		raw, ok := o.Get(w.TemplatePath)
		m, _ := raw.(map[string]any)
		if !ok || m == nil {
			return nil // e.g. a Rollout with workloadRef
		}
		var tpl corev1.PodTemplateSpec
		if runtime.DefaultUnstructuredConverter.FromUnstructured(m, &tpl) != nil {
			return nil
		}
		w.Template = &tpl
		if r, ok := o.Get("spec.replicas"); ok {
			if n, ok := r.(int64); ok {
				v := int32(n)
				w.Replicas = &v
			}
		}
		if sel, ok := o.Get("spec.selector"); ok {
			if sm, ok := sel.(map[string]any); ok {
				var ls metav1.LabelSelector
				if runtime.DefaultUnstructuredConverter.FromUnstructured(sm, &ls) == nil {
					w.Selector = &ls
				}
			}
		}
	}
	return w
}

// copyTemplate makes a template its own allocation (sharing its contents),
// so that it does not keep the enclosing object alive.
func copyTemplate(t *corev1.PodTemplateSpec) *corev1.PodTemplateSpec {
	c := *t
	return &c
}

// selects reports whether a label selector (nil: nothing) matches set.
func selects(sel *metav1.LabelSelector, set map[string]string) bool {
	if sel == nil {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return s.Matches(labels.Set(set))
}

// SelectorMatches is exported for checks with selectors in unstructured data.
func SelectorMatches(sel *metav1.LabelSelector, set map[string]string) bool { return selects(sel, set) }

// LabelSelectorAt decodes a metav1.LabelSelector at path in o's raw data.
func LabelSelectorAt(o *Object, path string) (*metav1.LabelSelector, bool) {
	v, ok := o.Get(path)
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	var ls metav1.LabelSelector
	if runtime.DefaultUnstructuredConverter.FromUnstructured(m, &ls) != nil {
		return nil, false
	}
	return &ls, true
}

// ServicesFor returns the Services whose selector picks w's pods.
func (s *Set) ServicesFor(w *Workload) []*Object {
	var out []*Object
	ns := s.Namespace(w.Object)
	seen := map[*Object]bool{}
	for k, v := range w.Template.Labels {
		for _, o := range s.svcByPair[ns+"\x00"+k+"="+v] {
			svc := o.Typed().(*corev1.Service)
			if !seen[o] && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(w.Template.Labels)) {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PodsSelectedBy returns the workloads whose pods match sel in o's namespace.
func (s *Set) PodsSelectedBy(o *Object, sel *metav1.LabelSelector) []*Workload {
	var out []*Workload
	ls, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || sel == nil {
		return nil
	}
	cands := s.wlByNS[s.Namespace(o)]
	// Narrow to the workloads carrying the rarest matchLabels pair.
	for k, v := range sel.MatchLabels {
		if c := s.wlByLabel[s.Namespace(o)+"\x00"+k+"="+v]; len(c) < len(cands) {
			cands = c
		}
	}
	for _, w := range cands {
		if ls.Matches(labels.Set(w.Template.Labels)) {
			out = append(out, w)
		}
	}
	return out
}

// PDBsFor returns the PodDisruptionBudgets (any version) selecting w's pods.
func (s *Set) PDBsFor(w *Workload) []*Object {
	var out []*Object
	for _, o := range s.pdbs.candidates(s.Namespace(w.Object), w.Template.Labels) {
		sel := s.selectors[o]
		if sel == nil || (sel.Empty() && o.APIVersion != "policy/v1") {
			continue // an empty selector selects nothing before policy/v1
		}
		if sel.Matches(labels.Set(w.Template.Labels)) {
			out = append(out, o)
		}
	}
	return out
}

// HPAsFor returns the HorizontalPodAutoscalers (any version) and KEDA
// ScaledObjects whose scale target is w.
func (s *Set) HPAsFor(w *Workload) []*Object {
	return s.scalers[s.Namespace(w.Object)+"/"+w.Kind+"/"+w.Name]
}

// NetworkPoliciesFor returns the NetworkPolicies whose podSelector picks w's
// pods; an empty podSelector picks every pod of its namespace.
func (s *Set) NetworkPoliciesFor(w *Workload) []*Object {
	var out []*Object
	for _, o := range s.netpols.candidates(s.Namespace(w.Object), w.Template.Labels) {
		if sel := s.selectors[o]; sel != nil && sel.Matches(labels.Set(w.Template.Labels)) {
			out = append(out, o)
		}
	}
	return out
}

// MonitorsFor returns the ServiceMonitors that pick a Service selecting w
// and the PodMonitors that pick w's pods.
func (s *Set) MonitorsFor(w *Workload) []*Object {
	var out []*Object
	svcs := s.ServicesFor(w)
	seen := map[*Object]bool{}
	for _, svc := range svcs {
		for _, m := range s.monitors.candidates("", svc.Labels) {
			if m.Kind == "ServiceMonitor" && !seen[m] && monitorNamespaceMatches(s, m, svc) && s.selectors[m].Matches(labels.Set(svc.Labels)) {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	for _, m := range s.monitors.candidates("", w.Template.Labels) {
		if m.Kind == "PodMonitor" && monitorNamespaceMatches(s, m, w.Object) && s.selectors[m].Matches(labels.Set(w.Template.Labels)) {
			out = append(out, m)
		}
	}
	// ServiceMonitors first, each kind in input order, as a scan would give
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Kind == "ServiceMonitor") != (out[j].Kind == "ServiceMonitor") {
			return out[i].Kind == "ServiceMonitor"
		}
		return out[i].seq < out[j].seq
	})
	return out
}

// selIndex finds the objects whose label selector may match a label set
// without trying every selector of a namespace against every workload,
// which is quadratic when a namespace holds thousands of apps.
type selIndex struct {
	byPair map[string][]*Object // "scope\x00key=value" of one matchLabels pair
	always map[string][]*Object // scope -> selectors without matchLabels: always candidates
}

// add indexes o under one of its matchLabels pairs (the smallest key): a
// label set lacking that pair cannot match, one having it still has to be
// checked against the whole selector.
func (x *selIndex) add(scope string, o *Object, matchLabels map[string]string) {
	if x.byPair == nil {
		x.byPair, x.always = map[string][]*Object{}, map[string][]*Object{}
	}
	if len(matchLabels) == 0 {
		x.always[scope] = append(x.always[scope], o)
		return
	}
	first := ""
	for k := range matchLabels {
		if first == "" || k < first {
			first = k
		}
	}
	key := scope + "\x00" + first + "=" + matchLabels[first]
	x.byPair[key] = append(x.byPair[key], o)
}

// candidates returns, in input order, the objects whose selector may match
// set; each still has to be matched.
func (x *selIndex) candidates(scope string, set map[string]string) []*Object {
	out := x.always[scope]
	sorted := true
	for k, v := range set {
		c := x.byPair[scope+"\x00"+k+"="+v]
		if len(c) == 0 {
			continue
		}
		if len(out) == 0 {
			out = c
			continue
		}
		if sorted {
			out = append([]*Object(nil), out...)
			sorted = false
		}
		out = append(out, c...)
	}
	if !sorted {
		// each object sits under one pair, and set has each key once, so
		// there are no duplicates to drop
		sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	}
	return out
}

func monitorNamespaceMatches(s *Set, m, target *Object) bool {
	if any, _ := m.Get("spec.namespaceSelector.any"); any == true {
		return true
	}
	if names, ok := m.Get("spec.namespaceSelector.matchNames"); ok {
		if l, ok := names.([]any); ok {
			for _, n := range l {
				if n == s.Namespace(target) {
					return true
				}
			}
			return false
		}
	}
	return s.sameNS(m, target)
}

// Filter picks the workloads a check applies to: by label selector
// ("app=x,tier in (web)") and/or name (exact, or a prefix ending in *).
// An empty filter picks all.
func (s *Set) Filter(selector, name string) ([]*Workload, error) {
	var sel labels.Selector
	if strings.TrimSpace(selector) != "" {
		var err error
		sel, err = labels.Parse(selector)
		if err != nil {
			return nil, err
		}
	}
	var out []*Workload
	for _, w := range s.workloads {
		if sel != nil && !sel.Matches(labels.Set(w.Template.Labels)) && !sel.Matches(labels.Set(w.Labels)) {
			continue
		}
		if name != "" && !NameMatches(name, w.Name) {
			continue
		}
		out = append(out, w)
	}
	return out, nil
}

// NameMatches matches a name against a pattern: exact or prefix*.
func NameMatches(pattern, name string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(name, p)
	}
	return pattern == name
}
