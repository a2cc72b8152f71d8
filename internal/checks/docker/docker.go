// Package docker holds the checks over Dockerfiles: how the image is built
// (stages, base image, package caches) and how it runs (user, health check,
// entrypoint), each finding at the Dockerfile's line.
package docker

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/mask"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/dockerfile"
	"golive.dev/golive/internal/verdict"
)

// Register adds the Dockerfile checks.
func Register(r *check.Registry) {
	needs := []check.Input{check.Dockerfile}
	add := func(c check.Check) { c.Needs = needs; r.Register(c) }
	add(check.Check{
		ID:          "docker/multi-stage",
		Title:       "The image is built in several stages",
		Description: "Each Dockerfile has at least minStages FROM stages; with requireCopyFrom the final stage copies its artefact from an earlier stage (COPY --from).",
		Params: []check.Param{
			{Name: "minStages", Type: check.Int, Default: 2, Description: "minimum number of stages"},
			{Name: "requireCopyFrom", Type: check.Bool, Default: false, Description: "the final stage must COPY --from an earlier stage"},
		},
		Run: each("docker/multi-stage", multiStage),
	})
	add(check.Check{
		ID:          "docker/non-root",
		Title:       "The final stage runs as a non-root user",
		Description: "The last USER of the final stage (or of the stages it builds on) is neither root nor 0; a distroless or Chainguard nonroot base counts.",
		Run:         each("docker/non-root", nonRoot),
	})
	add(check.Check{
		ID:          "docker/pinned-base",
		Title:       "Base images are pinned to a version (digest preferred)",
		Description: "Every FROM of an image names a tag other than latest, or a digest; with requireDigest a digest is required.",
		Params: []check.Param{
			{Name: "requireDigest", Type: check.Bool, Default: false, Description: "require @sha256: digests"},
		},
		Run: each("docker/pinned-base", pinnedBase),
	})
	add(check.Check{
		ID:          "docker/minimal-base",
		Title:       "The final image uses a minimal base",
		Description: "The final stage's base image is a minimal one (distroless, slim, alpine, scratch, Chainguard...), or the exact image the pack asks for.",
		Params: []check.Param{
			{Name: "image", Type: check.String, Default: "", Description: "the base image asked for, e.g. python:3.12-slim; a newer patch (3.12.4-slim) matches"},
			{Name: "allowed", Type: check.Strings, Default: []any{"distroless", "slim", "alpine", "scratch", "chainguard", "cgr.dev/", "wolfi", "ubi-minimal", "ubi-micro", "minimal", "busybox"}, Description: "substrings of minimal base image names"},
		},
		Run: each("docker/minimal-base", minimalBase),
	})
	add(check.Check{
		ID:          "docker/healthcheck",
		Title:       "The image declares a HEALTHCHECK",
		Description: "The final stage (or a stage it builds on) has a HEALTHCHECK other than NONE. Kubernetes ignores it; its probes are checked separately.",
		Run:         each("docker/healthcheck", healthcheck),
	})
	add(check.Check{
		ID:          "docker/no-secrets",
		Title:       "No secrets in ENV or ARG",
		Description: "No ENV or ARG whose name says secret (password, token, api key, private key, credentials) carries a value: both end up in the image history. Use RUN --mount=type=secret.",
		Run:         each("docker/no-secrets", noSecrets),
	})
	add(check.Check{
		ID:          "docker/copy-not-add",
		Title:       "COPY is used rather than ADD",
		Description: "ADD is only for extracting a local archive or fetching a URL with --checksum; plain files use COPY.",
		Run:         each("docker/copy-not-add", copyNotAdd),
	})
	add(check.Check{
		ID:          "docker/package-cache",
		Title:       "Package installs leave no cache in the final image",
		Description: "In the final stage and the stages it builds on: apt-get install with --no-install-recommends and removal of /var/lib/apt/lists, apk add --no-cache, yum/dnf clean all, pip --no-cache-dir; or a cache mount.",
		Params: []check.Param{
			{Name: "requireNoInstallRecommends", Type: check.Bool, Default: true, Description: "apt-get install must use --no-install-recommends"},
		},
		Run: each("docker/package-cache", packageCache),
	})
	add(check.Check{
		ID:          "docker/production-server",
		Title:       "The image starts a production server, not a development one",
		Description: "The final CMD/ENTRYPOINT is not a development server (flask run, manage.py runserver, --reload, nodemon, npm run dev, ng serve...) and no development mode is set in ENV.",
		Run:         each("docker/production-server", productionServer),
	})
	add(check.Check{
		ID:          "docker/exec-form",
		Title:       "The entrypoint receives SIGTERM",
		Description: "The final ENTRYPOINT (or CMD) uses the exec form, or an init such as tini or dumb-init, so the process gets SIGTERM and can shut down gracefully instead of being killed.",
		Run:         each("docker/exec-form", execForm),
	})
}

type fileCheck func(id string, f *dockerfile.File, p check.Params) []verdict.Finding

// each runs a per-file check over every Dockerfile; files that did not parse
// give an error finding at their line and the others are still checked.
func each(id string, fn fileCheck) check.RunFunc {
	return func(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
		set, err := dockerfile.From(ctx, env)
		if err != nil {
			return nil, fmt.Errorf("read Dockerfiles: %w", err)
		}
		if len(set.Files) == 0 {
			return []verdict.Finding{{Check: id, Status: verdict.NA, Message: "no Dockerfile or Containerfile found"}}, nil
		}
		var out []verdict.Finding
		for _, f := range set.Files {
			if f.Err != nil {
				out = append(out, verdict.Finding{Check: id, Status: verdict.Error, File: f.Path, Line: f.ErrLine, Message: f.Err.Error()})
				continue
			}
			out = append(out, fn(id, f, p)...)
		}
		return out, nil
	}
}

func finding(id string, st verdict.Status, f *dockerfile.File, line int, msg string) verdict.Finding {
	return verdict.Finding{Check: id, Status: st, File: f.Path, Line: line, Message: msg}
}

func multiStage(id string, f *dockerfile.File, p check.Params) []verdict.Finding {
	n := len(f.Stages)
	final := f.Final()
	if n < p.Int("minStages") {
		return []verdict.Finding{finding(id, verdict.Fail, f, final.Line, fmt.Sprintf("%d build stage(s), want at least %d: build in one stage and copy only the artefact into a small final stage", n, p.Int("minStages")))}
	}
	if p.Bool("requireCopyFrom") {
		for _, in := range final.Instructions {
			if v, ok := in.Flag("from"); (in.Cmd == "COPY" || in.Cmd == "ADD") && ok && v != "" {
				return []verdict.Finding{finding(id, verdict.Pass, f, in.Line, fmt.Sprintf("%d stages; the final stage copies from %s", n, v))}
			}
		}
		return []verdict.Finding{finding(id, verdict.Fail, f, final.Line, fmt.Sprintf("%d stages, but the final stage copies nothing from an earlier stage (COPY --from)", n))}
	}
	return []verdict.Finding{finding(id, verdict.Pass, f, final.Line, fmt.Sprintf("%d build stages", n))}
}

// last returns the last instruction named cmd in the stage's chain, nearest
// stage first.
func last(s *dockerfile.Stage, cmd string) *dockerfile.Instruction {
	for _, st := range s.Chain() {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			if st.Instructions[i].Cmd == cmd {
				return st.Instructions[i]
			}
		}
	}
	return nil
}

func nonRoot(id string, f *dockerfile.File, _ check.Params) []verdict.Finding {
	final := f.Final()
	if u := last(final, "USER"); u != nil {
		user := strings.Join(u.Args, " ")
		name, _, _ := strings.Cut(user, ":")
		switch {
		case name == "root" || name == "0":
			return []verdict.Finding{finding(id, verdict.Fail, f, u.Line, fmt.Sprintf("final stage runs as %s", user))}
		case strings.Contains(name, "$"):
			return []verdict.Finding{finding(id, verdict.Unverified, f, u.Line, fmt.Sprintf("USER %s comes from a build argument; cannot tell whether it is root", user))}
		}
		return []verdict.Finding{finding(id, verdict.Pass, f, u.Line, "final stage runs as "+user)}
	}
	img := strings.ToLower(final.RootImage())
	if strings.Contains(img, "nonroot") || strings.Contains(img, "cgr.dev/chainguard/") {
		return []verdict.Finding{finding(id, verdict.Pass, f, final.Line, "no USER, but the base image "+final.RootImage()+" runs as a non-root user")}
	}
	return []verdict.Finding{finding(id, verdict.Fail, f, final.Line, "final stage sets no USER, so the container runs as root (base "+final.RootImage()+")")}
}

// imageRef splits an image reference into repository, tag and digest.
func imageRef(ref string) (repo, tag, digest string) {
	repo = ref
	if i := strings.Index(repo, "@"); i >= 0 {
		repo, digest = repo[:i], repo[i+1:]
	}
	slash := strings.LastIndex(repo, "/")
	if i := strings.LastIndex(repo, ":"); i > slash {
		repo, tag = repo[:i], repo[i+1:]
	}
	return repo, tag, digest
}

func normRepo(r string) string {
	r = strings.ToLower(r)
	r = strings.TrimPrefix(r, "docker.io/")
	r = strings.TrimPrefix(r, "index.docker.io/")
	return strings.TrimPrefix(r, "library/")
}

func pinnedBase(id string, f *dockerfile.File, p check.Params) []verdict.Finding {
	var out []verdict.Finding
	images := 0
	for _, st := range f.Stages {
		if st.Parent != nil || strings.EqualFold(st.Image, "scratch") {
			continue
		}
		images++
		if strings.Contains(st.Image, "$") {
			out = append(out, finding(id, verdict.Unverified, f, st.Line, fmt.Sprintf("base image %s comes from a build argument without a default", st.Base)))
			continue
		}
		_, tag, digest := imageRef(st.Image)
		switch {
		case tag == "" && digest == "":
			out = append(out, finding(id, verdict.Fail, f, st.Line, fmt.Sprintf("base image %s has no tag, which means latest", st.Image)))
		case tag == "latest" && digest == "":
			out = append(out, finding(id, verdict.Fail, f, st.Line, fmt.Sprintf("base image %s uses the latest tag", st.Image)))
		case p.Bool("requireDigest") && digest == "":
			out = append(out, finding(id, verdict.Fail, f, st.Line, fmt.Sprintf("base image %s is not pinned by digest (@sha256:...)", st.Image)))
		}
	}
	if images == 0 {
		return []verdict.Finding{finding(id, verdict.NA, f, f.Final().Line, "no base image other than scratch")}
	}
	if len(out) == 0 {
		out = append(out, finding(id, verdict.Pass, f, f.Stages[0].Line, fmt.Sprintf("all %d base images are pinned", images)))
	}
	return out
}

// tagMatches accepts the asked tag or a more precise one: 3.12-slim matches
// 3.12.4-slim and 3.12-slim-bookworm.
func tagMatches(want, got string) bool {
	if want == "" || want == got {
		return true
	}
	ver, variant, _ := strings.Cut(want, "-")
	rest, ok := strings.CutPrefix(got, ver)
	if !ok || (rest != "" && rest[0] != '.' && rest[0] != '-') {
		return false
	}
	return variant == "" || strings.Contains(got, "-"+variant)
}

func minimalBase(id string, f *dockerfile.File, p check.Params) []verdict.Finding {
	final := f.Final()
	img := final.RootImage()
	line := final.Chain()[len(final.Chain())-1].Line
	if strings.Contains(img, "$") {
		return []verdict.Finding{finding(id, verdict.Unverified, f, line, fmt.Sprintf("final base image %s comes from a build argument without a default", img))}
	}
	if want := p.String("image"); want != "" {
		wr, wt, _ := imageRef(want)
		gr, gt, _ := imageRef(img)
		if normRepo(wr) == normRepo(gr) && tagMatches(wt, gt) {
			return []verdict.Finding{finding(id, verdict.Pass, f, line, fmt.Sprintf("final base image %s matches %s", img, want))}
		}
		return []verdict.Finding{finding(id, verdict.Fail, f, line, fmt.Sprintf("final base image is %s, want %s", img, want))}
	}
	low := strings.ToLower(img)
	for _, a := range p.Strings("allowed") {
		if a != "" && strings.Contains(low, strings.ToLower(a)) {
			return []verdict.Finding{finding(id, verdict.Pass, f, line, fmt.Sprintf("final base image %s is minimal (%s)", img, a))}
		}
	}
	return []verdict.Finding{finding(id, verdict.Fail, f, line, fmt.Sprintf("final base image %s is not a minimal image (distroless, slim, alpine, scratch...)", img))}
}

func healthcheck(id string, f *dockerfile.File, _ check.Params) []verdict.Finding {
	final := f.Final()
	h := last(final, "HEALTHCHECK")
	switch {
	case h == nil:
		return []verdict.Finding{finding(id, verdict.Fail, f, final.Line, "final stage has no HEALTHCHECK")}
	case len(h.Args) > 0 && strings.EqualFold(h.Args[0], "NONE"):
		return []verdict.Finding{finding(id, verdict.Fail, f, h.Line, "HEALTHCHECK NONE disables the health check")}
	}
	return []verdict.Finding{finding(id, verdict.Pass, f, h.Line, "HEALTHCHECK "+strings.Join(h.Args, " "))}
}

var (
	secretKey  = regexp.MustCompile(`(?i)passw(or)?d|passwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|client[_-]?secret|auth[_-]?key`)
	harmlessKe = regexp.MustCompile(`(?i)(_file|_path|_dir|_ttl|_length|_timeout|_header|_name)$`)
)

func noSecrets(id string, f *dockerfile.File, _ check.Params) []verdict.Finding {
	var out []verdict.Finding
	report := func(cmd, key, val string, line int, why string) {
		fd := finding(id, verdict.Fail, f, line, fmt.Sprintf("%s %s %s", cmd, key, why))
		fd.Evidence = map[string]any{"key": key}
		if val != "" {
			fd.Evidence["value"] = mask.Value(val)
		}
		out = append(out, fd)
	}
	for k, v := range f.MetaArgs {
		if secretKey.MatchString(k) && !harmlessKe.MatchString(k) {
			report("ARG", k, v, f.Stages[0].Line, "passes a secret as a build argument: its value stays in the image history; use RUN --mount=type=secret")
		}
	}
	for _, st := range f.Stages {
		for _, in := range st.Instructions {
			switch in.Cmd {
			case "ENV":
				for _, kv := range in.Pairs() {
					k, v := kv[0], kv[1]
					if secretKey.MatchString(k) && !harmlessKe.MatchString(k) && v != "" {
						report("ENV", k, v, in.Line, "bakes a secret into the image; inject it at run time from a secret store")
					}
				}
			case "ARG":
				for _, a := range in.Args {
					k, v, _ := strings.Cut(a, "=")
					if secretKey.MatchString(k) && !harmlessKe.MatchString(k) {
						report("ARG", k, strings.Trim(v, `"'`), in.Line, "passes a secret as a build argument: its value stays in the image history; use RUN --mount=type=secret")
					}
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, finding(id, verdict.Pass, f, f.Stages[0].Line, "no ENV or ARG carries a secret"))
	}
	return out
}

var archive = regexp.MustCompile(`(?i)\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar\.zst)$`)

func copyNotAdd(id string, f *dockerfile.File, _ check.Params) []verdict.Finding {
	var out []verdict.Finding
	for _, st := range f.Stages {
		for _, in := range st.Instructions {
			if in.Cmd != "ADD" || len(in.Args) < 2 {
				continue
			}
			_, hasSum := in.Flag("checksum")
			for _, src := range in.Args[:len(in.Args)-1] {
				switch {
				case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
					if !hasSum && !strings.HasSuffix(src, ".git") {
						out = append(out, finding(id, verdict.Fail, f, in.Line, fmt.Sprintf("ADD %s fetches a URL without --checksum", src)))
					}
				case strings.HasPrefix(src, "git@") || strings.HasSuffix(src, ".git"):
				case archive.MatchString(src):
				default:
					out = append(out, finding(id, verdict.Fail, f, in.Line, fmt.Sprintf("ADD %s copies a plain file: use COPY", src)))
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, finding(id, verdict.Pass, f, f.Stages[0].Line, "no ADD where COPY would do"))
	}
	return out
}

var (
	aptInstall = regexp.MustCompile(`\bapt(-get)?\s+(-\S+\s+)*install\b`)
	aptClean   = regexp.MustCompile(`rm\s+(-\S+\s+)*[^;&|]*/var/lib/apt/lists`)
	apkAdd     = regexp.MustCompile(`\bapk\s+(-\S+\s+)*add\b`)
	apkClean   = regexp.MustCompile(`--no-cache|rm\s+(-\S+\s+)*[^;&|]*/var/cache/apk`)
	yumInstall = regexp.MustCompile(`\b(yum|dnf|microdnf|tdnf)\s+(-\S+\s+)*install\b`)
	yumClean   = regexp.MustCompile(`\b(yum|dnf|microdnf|tdnf)\s+clean\s+all|rm\s+(-\S+\s+)*[^;&|]*/var/cache/(yum|dnf)`)
	pipInstall = regexp.MustCompile(`\bpip3?\s+(-\S+\s+)*install\b`)
)

func packageCache(id string, f *dockerfile.File, p check.Params) []verdict.Finding {
	var out []verdict.Finding
	installs := 0
	final := f.Final()
	pipEnvOff := false
	for _, st := range final.Chain() {
		for _, in := range st.Instructions {
			if in.Cmd == "ENV" {
				for _, kv := range in.Pairs() {
					if strings.EqualFold(kv[0], "PIP_NO_CACHE_DIR") {
						pipEnvOff = true
					}
				}
			}
		}
	}
	for _, st := range final.Chain() {
		for _, in := range st.Instructions {
			if in.Cmd != "RUN" {
				continue
			}
			if m, ok := in.Flag("mount"); ok && strings.Contains(m, "type=cache") {
				continue
			}
			txt := in.Text()
			var probs []string
			if aptInstall.MatchString(txt) {
				installs++
				if p.Bool("requireNoInstallRecommends") && !strings.Contains(txt, "--no-install-recommends") {
					probs = append(probs, "apt install without --no-install-recommends")
				}
				if !aptClean.MatchString(txt) {
					probs = append(probs, "apt lists not removed (rm -rf /var/lib/apt/lists/*)")
				}
			}
			if apkAdd.MatchString(txt) {
				installs++
				if !apkClean.MatchString(txt) {
					probs = append(probs, "apk add without --no-cache")
				}
			}
			if yumInstall.MatchString(txt) {
				installs++
				if !yumClean.MatchString(txt) {
					probs = append(probs, "yum/dnf install without clean all")
				}
			}
			if pipInstall.MatchString(txt) {
				installs++
				if !strings.Contains(txt, "--no-cache-dir") && !pipEnvOff {
					probs = append(probs, "pip install without --no-cache-dir")
				}
			}
			if len(probs) > 0 {
				out = append(out, finding(id, verdict.Fail, f, in.Line, strings.Join(probs, "; ")))
			}
		}
	}
	if len(out) == 0 {
		msg := fmt.Sprintf("%d package installs in the final image clean their caches", installs)
		if installs == 0 {
			msg = "no package manager runs in the final image's stages"
		}
		out = append(out, finding(id, verdict.Pass, f, final.Line, msg))
	}
	return out
}

var (
	devServer = regexp.MustCompile(`(?i)flask\s+run|manage\.py\s+runserver|\brunserver\b|--reload\b|\bnodemon\b|\b(npm|pnpm|yarn)\s+(run\s+)?dev\b|next\s+dev|ng\s+serve|webpack-dev-server|webpack\s+serve|\bvite\b(\s|$|")|python3?\s+-m\s+http\.server|php\s+-S\b|rails\s+s(erver)?\b.*development|debug\s*=\s*true|\bair\b`)
	devEnv    = regexp.MustCompile(`(?i)^(FLASK_ENV|FLASK_DEBUG|DJANGO_DEBUG|NODE_ENV|RAILS_ENV|APP_ENV|ASPNETCORE_ENVIRONMENT|DEBUG)$`)
	devValue  = regexp.MustCompile(`(?i)^(development|dev|1|true)$`)
)

func productionServer(id string, f *dockerfile.File, _ check.Params) []verdict.Finding {
	final := f.Final()
	var out []verdict.Finding
	for _, st := range final.Chain() {
		for _, in := range st.Instructions {
			if in.Cmd != "ENV" {
				continue
			}
			for _, kv := range in.Pairs() {
				if devEnv.MatchString(kv[0]) && devValue.MatchString(kv[1]) {
					out = append(out, finding(id, verdict.Fail, f, in.Line, fmt.Sprintf("ENV %s=%s runs the application in development mode", kv[0], kv[1])))
				}
			}
		}
	}
	ep, cmd := last(final, "ENTRYPOINT"), last(final, "CMD")
	if ep == nil && cmd == nil {
		out = append(out, finding(id, verdict.Unverified, f, final.Line, "no CMD or ENTRYPOINT: the base image decides what runs"))
		return out
	}
	for _, in := range []*dockerfile.Instruction{ep, cmd} {
		if in != nil && devServer.MatchString(in.Text()) {
			out = append(out, finding(id, verdict.Fail, f, in.Line, fmt.Sprintf("%s starts a development server: %s", in.Cmd, in.Text())))
		}
	}
	if len(out) == 0 {
		in := ep
		if in == nil {
			in = cmd
		}
		out = append(out, finding(id, verdict.Pass, f, in.Line, fmt.Sprintf("%s %s is not a development server", in.Cmd, in.Text())))
	}
	return out
}

var initProc = regexp.MustCompile(`\b(tini|dumb-init|s6-svscan|catatonit)\b|^exec\s`)

func execForm(id string, f *dockerfile.File, _ check.Params) []verdict.Finding {
	final := f.Final()
	in := last(final, "ENTRYPOINT")
	if in == nil {
		in = last(final, "CMD")
	}
	switch {
	case in == nil:
		return []verdict.Finding{finding(id, verdict.Unverified, f, final.Line, "no CMD or ENTRYPOINT: the base image decides what runs")}
	case in.JSON || initProc.MatchString(strings.TrimSpace(in.Text())):
		return []verdict.Finding{finding(id, verdict.Pass, f, in.Line, fmt.Sprintf("%s runs the process directly, so it receives SIGTERM", in.Cmd))}
	}
	return []verdict.Finding{finding(id, verdict.Fail, f, in.Line, fmt.Sprintf("%s uses the shell form: /bin/sh -c becomes PID 1 and does not pass SIGTERM on; use the exec form [\"...\"] or exec", in.Cmd))}
}
