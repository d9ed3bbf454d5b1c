"""The README's tour, C example and Python example work as written: they
are extracted from README.md and run in a scratch directory that links to
the example data and rules."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.environ["VOCX_SOURCE_DIR"]
BUILD = os.environ["VOCX_BUILD_DIR"]
VOCX = os.environ["VOCX_BIN"]
LIBDIR = os.path.join(BUILD, "lib")

with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
    README = f.read()
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, re.S)


def block(lang, contains):
    for l, body in BLOCKS:
        if l == lang and contains in body:
            return body
    raise AssertionError(f"README has no {lang} block containing {contains!r}")


class ReadmeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vocx-readme-")
        for d in ("examples", "rules"):
            os.symlink(os.path.join(ROOT, d), os.path.join(self.dir, d))
        self.env = dict(os.environ)
        self.env.pop("VOCX_DB", None)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def sh(self, cmd):
        p = subprocess.run(cmd, shell=True, cwd=self.dir, env=self.env,
                           capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0,
                         f"{cmd}\n{p.stdout.decode()}\n{p.stderr.decode()}")
        return p.stdout.decode()

    def test_tour(self):
        tour = block("sh", "export VOCX_DB")
        out = ""
        for line in tour.splitlines():
            line = line.split("  #")[0].strip()
            if not line:
                continue
            if line.startswith("export "):
                k, v = line[len("export "):].split("=", 1)
                self.env[k] = v.split()[0]
                continue
            self.assertTrue(line.startswith("vocx "), line)
            out += self.sh(VOCX + line[len("vocx"):])
        self.assertIn("loyalty.long_time_ignored", out)
        with open(os.path.join(self.dir, "report.html"), encoding="utf-8") as f:
            self.assertIn("<svg", f.read())
        with open(os.path.join(self.dir, "call-list.csv"), encoding="utf-8") as f:
            self.assertGreater(len(f.readlines()), 10)
        # The table shown in the README is what the tour prints.
        for line in README.splitlines():
            if re.match(r"^[123]   \S+", line):
                self.assertIn(line.strip(), out)

    def test_rules_commands(self):
        for line in block("sh", "vocx rules check").splitlines():
            line = line.split("  #")[0].strip()
            if line:
                self.sh(VOCX + line[len("vocx"):])

    def test_c_example(self):
        src = os.path.join(self.dir, "app.c")
        with open(src, "w") as f:
            f.write(block("c", "vocx_classify"))
        exe = os.path.join(self.dir, "app")
        subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror",
                        "-I", os.path.join(ROOT, "include"), src, "-o", exe,
                        "-L", LIBDIR, "-lvocx", f"-Wl,-rpath,{LIBDIR}"],
                       check=True)
        out = self.sh(exe)
        self.assertIn("delivery.not_received", out)
        self.assertIn("billing.double_charge", out)

    def test_python_example(self):
        src = os.path.join(self.dir, "example.py")
        with open(src, "w") as f:
            f.write(block("python", "import vocx"))
        self.env["PYTHONPATH"] = os.path.join(ROOT, "bindings", "python")
        self.env["VOCX_LIBRARY"] = os.path.join(LIBDIR, "libvocx.so")
        out = self.sh(f"python3 {src}")
        self.assertIn("loyalty.long_time_ignored", out)


if __name__ == "__main__":
    unittest.main()
