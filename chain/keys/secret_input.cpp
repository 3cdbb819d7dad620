#include "chain/keys/secret_input.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

#include "common/file_io.hpp"

namespace snprelay::chain::keys {
namespace {

// Reads all of fd into `out` (growing), stopping at EOF or, if stop_at_newline, at the first '\n'.
bool read_all(int fd, SecretBytes& out, bool stop_at_newline) {
  SecretBytes buf(4096);
  std::size_t n = 0;
  for (;;) {
    if (n == buf.size()) {
      if (buf.size() >= (1u << 20))
        return false;  // a secret larger than 1 MiB is not a secret file
      SecretBytes bigger(buf.size() * 2);
      std::copy(buf.data(), buf.data() + n, bigger.data());
      buf = std::move(bigger);
    }
    const ssize_t got = ::read(fd, buf.data() + n, stop_at_newline ? 1 : buf.size() - n);
    if (got < 0)
      return false;
    if (got == 0)
      break;
    if (stop_at_newline && buf.data()[n] == '\n')
      break;
    n += static_cast<std::size_t>(got);
  }
  while (n > 0 && (buf.data()[n - 1] == '\n' || buf.data()[n - 1] == '\r'))
    --n;
  out = SecretBytes(std::span<const std::uint8_t>(buf.data(), n));
  return true;
}

}  // namespace

Result<SecretBytes> read_secret_file(const std::string& path) {
  auto secret = snprelay::read_secret_file(path, "secret file");
  if (!secret)
    return make_error("chain", "SECRET_FILE_UNREADABLE", secret.error().message, ErrorKind::kInput);
  return secret;
}

Result<SecretBytes> prompt_secret(const std::string& prompt) {
  const UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (!tty)
    return make_error("chain", "NO_TTY", "no terminal to prompt on", ErrorKind::kInput);
  termios old{};
  if (::tcgetattr(tty.get(), &old) != 0)
    return make_error("chain", "NO_TTY", "/dev/tty is not a terminal", ErrorKind::kInput);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  (void)!::write(tty.get(), prompt.data(), prompt.size());
  ::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  SecretBytes out;
  const bool ok = read_all(tty.get(), out, true);
  ::tcsetattr(tty.get(), TCSAFLUSH, &old);
  (void)!::write(tty.get(), "\n", 1);
  if (!ok)
    return make_error("chain", "SECRET_INPUT_FAILED", "could not read from the terminal", ErrorKind::kInput);
  return out;
}

Result<SecretBytes> read_key_passphrase(const std::string& file, bool confirm) {
  if (!file.empty())
    return read_secret_file(file);
  if (const char* env = std::getenv("SNPRELAY_KEY_PASSPHRASE"); env != nullptr)
    return SecretBytes::from_string(env);
  auto first = prompt_secret("Key store passphrase: ");
  if (!first)
    return make_error(
        "chain", "NO_PASSPHRASE",
        "no passphrase: set SNPRELAY_KEY_PASSPHRASE, pass --passphrase-file, or run on a terminal",
        ErrorKind::kInput);
  if (confirm) {
    auto again = prompt_secret("Repeat passphrase: ");
    if (!again || !again->equals(*first))
      return make_error("chain", "PASSPHRASE_MISMATCH", "the two passphrases differ", ErrorKind::kInput);
  }
  return first;
}

}  // namespace snprelay::chain::keys
