// Reading secrets (mnemonics, passphrases) from files, the environment or the terminal.
//
// read_secret_file() is common/file_io.hpp's read_secret_file (regular files only, at most 64 KiB, one
// trailing "\n" or "\r\n" removed) with this component's error code. A secret file that is group- or
// world-readable is still read (mnemonic files are often short-lived), but passphrase files are held
// to the key-file rule by the caller if it wishes.
//
// prompt_secret() writes `prompt` to /dev/tty and reads one line from it with echo turned off (termios),
// restoring the terminal afterwards. With no terminal (a daemon, a CI job) it fails with chain NO_TTY
// so the caller can say which non-interactive source to use instead.
//
// Thread-safety: prompt_secret() uses the process's controlling terminal; call it from one thread.
#pragma once

#include <string>

#include "common/error.hpp"
#include "common/secret.hpp"

namespace snprelay::chain::keys {

// Errors: chain SECRET_FILE_UNREADABLE (kind kInput) naming the path and why (a directory, a FIFO, too
// large, missing), never the content.
[[nodiscard]] Result<SecretBytes> read_secret_file(const std::string& path);

// Errors: chain NO_TTY, chain SECRET_INPUT_FAILED.
[[nodiscard]] Result<SecretBytes> prompt_secret(const std::string& prompt);

// The key store passphrase, from the first source that is given, in this order: `file` (non-empty:
// read_secret_file), the SNPRELAY_KEY_PASSPHRASE environment variable (set, even if empty), else a
// no-echo prompt on the terminal — asked twice when `confirm` (creating a key). Every snprelay command
// that unlocks or creates a key uses this one order. Errors: those of read_secret_file; chain
// NO_PASSPHRASE when there is no source (no terminal), naming the non-interactive ones; chain
// PASSPHRASE_MISMATCH when the two prompted entries differ.
[[nodiscard]] Result<SecretBytes> read_key_passphrase(const std::string& file, bool confirm);

}  // namespace snprelay::chain::keys
