package http

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"golive.dev/golive/internal/check"
	"golive.dev/golive/internal/source"
	"golive.dev/golive/internal/source/probe"
	"golive.dev/golive/internal/verdict"
)

var authCases = []string{"none", "malformed", "expired", "alg-none", "bad-signature", "tampered"}

func protectedParams(extra ...check.Param) []check.Param {
	return append([]check.Param{
		{Name: "path", Type: check.String, Default: "", Description: "protected route; empty uses --protected-path"},
		pPort, pTarget,
		{Name: "method", Type: check.String, Default: "GET"},
	}, extra...)
}

func registerAuth(r *check.Registry) {
	r.Register(check.Check{
		ID:    "http/auth",
		Title: "A protected route refuses missing and forged tokens",
		Description: "Calls the protected route without a token and with tokens golive forges: malformed, " +
			"expired, alg:none, signed with a random key, and (when --token is a JWT) the real token with its " +
			"payload changed. Each must get rejectStatus (401 or 403) and none a 5xx. With requireTokenSuccess " +
			"the route must answer 2xx to --token; without --token that part is unverified.",
		Needs: needs,
		Params: protectedParams(
			check.Param{Name: "cases", Type: check.Strings, Default: authCases, Description: "subset of " + strings.Join(authCases, ", ")},
			check.Param{Name: "rejectStatus", Type: check.String, Default: "401,403"},
			check.Param{Name: "requireTokenSuccess", Type: check.Bool, Default: true},
			check.Param{Name: "expectStatus", Type: check.String, Default: "2xx", Description: "status wanted with --token"},
		),
		Run: runAuth,
	})
	r.Register(check.Check{
		ID:    "http/authz",
		Title: "A token without the required role is refused",
		Description: "Calls the protected route with the under-privileged token held in the environment " +
			"variable tokenEnv (never in a pack or report) and expects 403; with requireTokenSuccess, --token " +
			"must succeed on the same route.",
		Needs: needs,
		Params: protectedParams(
			check.Param{Name: "tokenEnv", Type: check.String, Default: "GOLIVE_LOW_PRIVILEGE_TOKEN"},
			check.Param{Name: "rejectStatus", Type: check.String, Default: "403"},
			check.Param{Name: "requireTokenSuccess", Type: check.Bool, Default: true},
		),
		Run: runAuthz,
	})
}

func protectedPath(env *source.Env, p check.Params) (string, error) {
	if s := p.String("path"); s != "" {
		return s, nil
	}
	if env.Inputs.ProtectedPath != "" {
		return env.Inputs.ProtectedPath, nil
	}
	return "", source.NotGiven(probe.FlagProtected, "protected route")
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hs256(header, payload map[string]any) string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	signing := b64(header) + "." + b64(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// forgedTokens returns the tokens for each case. None of them can be valid:
// golive signs with a key it just made up, or not at all.
func forgedTokens(now time.Time, real string) map[string]string {
	claims := func(exp time.Time) map[string]any {
		return map[string]any{"sub": "golive-probe", "iat": exp.Add(-time.Hour).Unix(), "exp": exp.Unix(),
			"roles": []string{"admin"}, "scope": "admin"}
	}
	out := map[string]string{
		"malformed":     "golive.not-a-jwt",
		"expired":       hs256(map[string]any{"alg": "HS256", "typ": "JWT"}, claims(now.Add(-time.Hour))),
		"alg-none":      b64(map[string]any{"alg": "none", "typ": "JWT"}) + "." + b64(claims(now.Add(time.Hour))) + ".",
		"bad-signature": hs256(map[string]any{"alg": "HS256", "typ": "JWT"}, claims(now.Add(time.Hour))),
	}
	if parts := strings.Split(real, "."); len(parts) == 3 {
		if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
			var payload map[string]any
			if json.Unmarshal(raw, &payload) == nil {
				payload["roles"] = []string{"admin"}
				payload["golive"] = "tampered"
				out["tampered"] = parts[0] + "." + b64(payload) + "." + parts[2]
			}
		}
	}
	return out
}

func runAuth(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	path, err := protectedPath(env, p)
	if err != nil {
		return nil, err
	}
	reject, err := StatusMatcher(p.String("rejectStatus"))
	if err != nil {
		return nil, err
	}
	okStatus, err := StatusMatcher(p.String("expectStatus"))
	if err != nil {
		return nil, err
	}
	for _, c := range p.Strings("cases") {
		if !containsFold(authCases, c) {
			return nil, fmt.Errorf("cases: unknown case %q (want %s)", c, strings.Join(authCases, ", "))
		}
	}
	method := strings.ToUpper(p.String("method"))
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		tokens := forgedTokens(env.Inputs.Now, env.Inputs.Token)
		var out []verdict.Finding
		for _, c := range p.Strings("cases") {
			c = strings.ToLower(c)
			h := http.Header{}
			if c != "none" {
				tok, ok := tokens[c]
				if !ok {
					// "tampered" needs a real JWT to change.
					continue
				}
				h.Set("Authorization", "Bearer "+tok)
			}
			r, err := pc.Do(ctx, t, probe.Request{Method: method, Path: path, Port: p.Int("port"), Header: h, NoCache: true})
			if err != nil {
				return nil, err
			}
			what := map[string]string{"none": "without a token", "malformed": "with a malformed token",
				"expired": "with an expired JWT", "alg-none": "with an alg:none JWT",
				"bad-signature": "with a JWT signed by an unknown key", "tampered": "with --token's payload altered"}[c]
			ok := reject(r.Status)
			msg := fmt.Sprintf("%s %s %s: %d", method, path, what, r.Status)
			if !ok {
				msg += fmt.Sprintf(" (want %s)", p.String("rejectStatus"))
			}
			out = append(out, finding(passIf(ok), r, msg, map[string]any{"case": c}))
		}
		if p.Bool("requireTokenSuccess") {
			out = append(out, tokenSuccess(ctx, pc, t, method, path, p.Int("port"), okStatus, p.String("expectStatus")))
		}
		return out, nil
	})
}

// tokenSuccess calls the route with --token; without one it is unverified.
func tokenSuccess(ctx context.Context, pc *probe.Client, t probe.Target, method, path string, port int, ok func(int) bool, want string) verdict.Finding {
	if !pc.HasToken() {
		return verdict.Finding{Status: verdict.Unverified, Endpoint: probe.URLFor(t, path, port, ""),
			Message: "no --token given: cannot show that a valid token is accepted", Hint: probe.FlagToken}
	}
	r, err := pc.Do(ctx, t, probe.Request{Method: method, Path: path, Port: port, Auth: true, NoCache: true})
	if err != nil {
		return verdict.Finding{Status: verdict.Unverified, Endpoint: probe.URLFor(t, path, port, ""),
			Message: "no HTTP answer with --token: " + err.Error(), Hint: probe.FlagTarget}
	}
	return finding(passIf(ok(r.Status)), r, fmt.Sprintf("%s %s with --token: %d (want %s)", method, path, r.Status, want), nil)
}

func runAuthz(ctx context.Context, env *source.Env, p check.Params) ([]verdict.Finding, error) {
	path, err := protectedPath(env, p)
	if err != nil {
		return nil, err
	}
	reject, err := StatusMatcher(p.String("rejectStatus"))
	if err != nil {
		return nil, err
	}
	envName := p.String("tokenEnv")
	low := os.Getenv(envName)
	if low == "" {
		return nil, &source.Missing{Input: "$" + envName, Reason: "under-privileged token not given"}
	}
	ok2xx, _ := StatusMatcher("2xx")
	method := strings.ToUpper(p.String("method"))
	return forTargets(ctx, env, p, func(pc *probe.Client, t probe.Target) ([]verdict.Finding, error) {
		r, err := pc.Do(ctx, t, probe.Request{Method: method, Path: path, Port: p.Int("port"), NoCache: true,
			Header: http.Header{"Authorization": {"Bearer " + low}}})
		if err != nil {
			return nil, err
		}
		out := []verdict.Finding{finding(passIf(reject(r.Status)), r,
			fmt.Sprintf("%s %s with the under-privileged token: %d (want %s)", method, path, r.Status, p.String("rejectStatus")), nil)}
		if p.Bool("requireTokenSuccess") {
			out = append(out, tokenSuccess(ctx, pc, t, method, path, p.Int("port"), ok2xx, "2xx"))
		}
		return out, nil
	})
}
