// AMD Key Distribution Service URLs (AMD KDS interface spec 57230).
//
// The base URL has the form of the guide's `kds_base_url`: "https://kdsintf.amd.com/vcek/v1" (or a
// local stand-in such as "http://127.0.0.1:PORT/vcek/v1"). VLEK resources live under the sibling
// "/vlek/v1". hwID is the whole 64-byte CHIP_ID for Milan and Genoa, its first 8 bytes for Turin, in
// lower-case hex. SPLs come from REPORTED_TCB; Turin puts fmcSPL first.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "attest/tcb.hpp"
#include "common/error.hpp"

namespace snprelay::attest {

enum class KdsSigner { kVcek, kVlek };

// The product an operator named: parse_product's one rule (Milan, Genoa or Turin, any case), as a
// Result whose BAD_PRODUCT (kInput) says which names exist. URLs always carry product_name()'s spelling.
[[nodiscard]] Result<Product> kds_product(std::string_view name);

// {base}/{product}/{hwid}?[fmcSPL=..&]blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..
// `chip_id` is the report's 64-byte CHIP_ID; Turin uses its first 8 bytes. Errors: BAD_PRODUCT,
// BAD_CHIP_ID (all-zero: the chip id was masked, so KDS cannot be asked), BAD_TCB (Turin without fmc).
[[nodiscard]] Result<std::string> vcek_url(const std::string& base, Product product,
                                           std::span<const std::uint8_t> chip_id, const TcbParts& tcb);
// {base or its /vlek/v1 sibling}/{product}/cert_chain (PEM: ASK or ASVK, then ARK).
[[nodiscard]] Result<std::string> chain_url(const std::string& base, Product product, KdsSigner signer);
// {base or its /vlek/v1 sibling}/{product}/crl (DER, signed by the ARK).
[[nodiscard]] Result<std::string> crl_url(const std::string& base, Product product, KdsSigner signer);
// The /vlek/v1 sibling of a /vcek/v1 base ("https://h/vcek/v1" → "https://h/vlek/v1").
[[nodiscard]] Result<std::string> vlek_base(const std::string& vcek_base);

}  // namespace snprelay::attest
