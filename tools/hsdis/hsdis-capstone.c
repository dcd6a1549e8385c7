/*
 * A minimal hsdis plugin on the Capstone disassembler, so that C2's code can be read with -XX:+PrintAssembly
 * (x86-64, Intel syntax). Build (Debian: apt-get install libcapstone-dev):
 *   gcc -O2 -shared -fPIC -o hsdis-amd64.so tools/hsdis/hsdis-capstone.c -lcapstone
 * Use: LD_LIBRARY_PATH=<dir of hsdis-amd64.so> java -XX:+UnlockDiagnosticVMOptions \
 *   -XX:CompileCommand=print,dev.peft4j.cpu.Sgemm::kernel4x2 ...
 * HotSpot calls decode_instructions_virtual for each range of code it prints.
 */
#include <stdint.h>
#include <stdio.h>
#include <capstone/capstone.h>
typedef void* (*ev_t)(void*, const char*, void*);
typedef int (*pr_t)(void*, const char*, ...);
static void* null_ev(void* s, const char* e, void* a) { return NULL; }
void* decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char* buffer, uintptr_t length,
    ev_t ev, void* evs, pr_t pr, void* prs, const char* options, int newline) {
  csh h; cs_insn* insn;
  if (pr == NULL) { pr = (pr_t) &fprintf; if (prs == NULL) prs = stdout; }
  if (ev == NULL) ev = null_ev;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return NULL;
  cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_INTEL);
  cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
  size_t n = cs_disasm(h, buffer, length, (uintptr_t) buffer, 0, &insn);
  for (size_t j = 0; j < n; j++) {
    ev(evs, "insn", (void*) insn[j].address);
    pr(prs, "%s\t%s", insn[j].mnemonic, insn[j].op_str);
    ev(evs, "/insn", (void*) (insn[j].address + insn[j].size));
    if (newline) pr(prs, "\n");
  }
  if (n) cs_free(insn, n);
  cs_close(&h);
  return NULL;
}
