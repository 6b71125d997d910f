/* Test-only stand-in for Windows 10's bcryptprimitives.dll under Wine 8.
 *
 * Rust's standard library gets its random seed from ProcessPrng in bcryptprimitives.dll,
 * which every Windows 10/11 has and Wine 8.0 lacks. Placed beside a test executable (or on
 * WINEPATH), this DLL lets the executable start under Wine. It is never shipped: the zip
 * contains no bcryptprimitives.dll, and scripts/windows.sh checks that. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
