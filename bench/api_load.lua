-- wrk script for bench/api_load.sh (issue 14, load figures).
--
-- Requests: by default POST with the guide's generate body {"nonce": "<base64 of 32 bytes>"} and
-- Content-Type: application/json, for POST /v1/attestation/generate. The nonce is read from the
-- environment variable API_LOAD_NONCE (api_load.sh draws it from /dev/urandom once per run); without it a
-- fixed 32-byte value is used. Every request of a run carries the same body: the daemon signs each one
-- anew, so a repeated nonce costs the server the same work as a fresh one.
-- API_LOAD_METHOD=GET sends plain GETs without a body instead (for GET /health/enclave).
--
-- Output: done() prints one machine-readable line on stdout, after wrk's own report:
--   api_load: requests=N duration_us=D p50_us=A p99_us=B non_2xx=M connect=E read=R write=W timeout=T
-- non_2xx is wrk's "Non-2xx or 3xx responses" (errors.status); connect/read/write/timeout are its socket
-- errors. Latencies are wrk's corrected distribution, in microseconds, over the answered requests only
-- (requests past wrk's --timeout count as "timeout" and are not in the percentiles).

local nonce = os.getenv("API_LOAD_NONCE") or "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

if os.getenv("API_LOAD_METHOD") == "GET" then
  wrk.method = "GET"
  wrk.body = nil
else
  wrk.method = "POST"
  wrk.body = '{"nonce": "' .. nonce .. '"}'
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "api_load: requests=%d duration_us=%d p50_us=%d p99_us=%d non_2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect, e.read, e.write, e.timeout))
end
