// llama.cpp buffers against published startup logs collected in tests/data/llamacpp-compute-logs.json
// (flash attention on and off, 2K to 128K contexts, n_ubatch 512 to 4096, one to four GPUs, pipeline
// copies, experts kept in host memory). KV and recurrent-state buffers are exact arithmetic and must match
// the printed two decimals; compute buffers must be within the tolerance the row states (10% unless the row's
// note explains a known gap).
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace testing;

TEST_CASE("compute, KV and host buffers of published llama.cpp logs are within each row's stated tolerance") {
    const json data = json::parse(read_text(FITMYGPU_SOURCE_DIR "/tests/data/llamacpp-compute-logs.json"));
    REQUIRE(data.at("rows").size() >= 15);
    int checked = 0, within_5 = 0;
    for (const auto& row : data.at("rows")) {
        const std::string id = row.at("id");
        CAPTURE(id);
        const double tol = row.at("tolerance_pct").get<double>();
        CHECK(tol <= 15.0);
        if (tol > 10.0) CHECK(row.contains("note"));  // a wide tolerance must say why
        // A compute buffer whose gap no mechanism explains yet is reported on the accuracy page, not asserted; the row
        // says why (compute_reported_only), and its KV and host figures are still checked.
        const bool compute_reported = row.contains("compute_reported_only");
        if (compute_reported) CHECK(row.at("compute_reported_only").get<std::string>().size() > 40);
        // The same for a host compute buffer that depends on what the log does not show (host_reported_only says what).
        const bool host_reported = row.contains("host_reported_only");
        if (host_reported) CHECK(row.at("host_reported_only").get<std::string>().size() > 40);
        const json r = fitmygpu::api::estimate(row.at("request"));
        REQUIRE_FALSE(r.contains("error"));
        for (auto it = row.at("logged_mib").begin(); it != row.at("logged_mib").end(); ++it) {
            const std::string key = it.key();
            const auto at = key.rfind('@');
            const std::string label = key.substr(0, at);
            const int device = std::stoi(key.substr(at + 1));
            const double logged = it.value().get<double>();
            const double got = mib(item(r, label, device));
            CAPTURE(key);
            CAPTURE(got);
            CAPTURE(logged);
            if (label.rfind("KV cache", 0) == 0 || label.rfind("recurrent state", 0) == 0) {
                CHECK(std::fabs(got - logged) < 0.006);  // printed to 0.01 MiB
            } else {
                const double pct = 100.0 * std::fabs(got - logged) / logged;
                if ((compute_reported && label == "compute buffer") || (host_reported && label == "host compute buffer")) continue;
                CHECK(pct <= tol);
                if (pct <= 5.0) ++within_5;
            }
            ++checked;
        }
    }
    MESSAGE(checked << " logged buffers checked; " << within_5 << " compute/host buffers within 5%");
}
