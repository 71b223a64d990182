/*
 * kvm-hold: keeps one KVM VM with one vCPU open, never run, for as long as L1 lives.
 *
 * Why: KVM turns some kernel static keys on while any VM exists and off when the last one goes
 * (the preempt notifiers that every context switch in __schedule checks; the lapic's
 * apic_sw_disabled). Each switch patches live kernel code with int3 breakpoints (text_poke_bp)
 * while the other vCPU runs it. Under QEMU's multi-threaded TCG that cross-modifying code has
 * been seen to leave both L1 vCPUs looping through exc_int3 in __schedule for good: the
 * sandbox's "freeze" (sandbox/README.md has the evidence). With one VM always open the keys
 * never drop back to zero, so starting and stopping test VMs patches nothing.
 *
 * Built static by sandbox/build-l1-initramfs.sh (the initramfs has no C library) and started
 * by sandbox/l1-init right after kvm-amd loads.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0 || ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0 || ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror("kvm-hold: cannot create the VM to hold");
		return 1;
	}
	for (;;)
		pause();
}
