/*
 * kvm-churn: a reproducer for freezes of the sandbox's emulated L1, independent of Concierge.
 *
 *   kvm-churn SECONDS THREADS MODE      MODE: run (create, run to HLT, destroy)
 *                                             kill (a child spins in KVM_RUN, is SIGKILLed)
 *
 * Each thread repeats the cycle until SECONDS pass and prints a count every 10 s, so a freeze
 * shows as a count that stops (and sandbox/run's liveness watch fires). The guest is 16 bytes of
 * real-mode code: write 'o' to the serial port, then HLT (mode run) or loop forever (mode kill).
 * Written in C on purpose: if L1 freezes under it, the freeze is in the emulated machine or its
 * KVM, not in our monitor.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const unsigned char halting_guest[] = {
	0xba, 0xf8, 0x03, /* mov $0x3f8, %dx */
	0xb0, 'o',        /* mov $'o', %al */
	0xee,             /* out %al, (%dx) */
	0xf4,             /* hlt */
};
static const unsigned char spinning_guest[] = {
	0xba, 0xf8, 0x03, 0xb0, 'o', 0xee,
	0xeb, 0xfe,       /* jmp . */
};

static int kill_mode;
static double deadline;
static unsigned long cycles[64];

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void fail(const char *what)
{
	fprintf(stderr, "kvm-churn: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Creates a VM with an irqchip and a PIT (so timer interrupts cause exits, as in a real guest),
 * loads the guest at 0x1000 and runs it. Returns after HLT; in kill mode never returns. */
static void run_one_guest(int kvm)
{
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		fail("KVM_CREATE_VM");
	if (ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		fail("KVM_SET_TSS_ADDR");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		fail("KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
		fail("KVM_CREATE_PIT2");

	size_t size = 0x10000;
	unsigned char *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (memory == MAP_FAILED)
		fail("mmap");
	const unsigned char *code = kill_mode ? spinning_guest : halting_guest;
	memcpy(memory + 0x1000, code, kill_mode ? sizeof spinning_guest : sizeof halting_guest);
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = size, .userspace_addr = (unsigned long)memory,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		fail("KVM_SET_USER_MEMORY_REGION");

	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		fail("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		fail("mmap kvm_run");

	struct kvm_sregs sregs;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		fail("KVM_SET_SREGS");
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 0x2 };
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		fail("KVM_SET_REGS");

	for (int exits = 0; exits < 1000; exits++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0 && errno != EINTR)
			fail("KVM_RUN");
		/* With the in-kernel irqchip a HLT stays in the kernel: the guest sleeps until the
		 * PIT (never programmed) fires, so the I/O exit is the end of a "run" cycle. */
		if (run->exit_reason == KVM_EXIT_IO && !kill_mode)
			break;
		if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_INTR) {
			fprintf(stderr, "kvm-churn: unexpected exit %u\n", run->exit_reason);
			exit(1);
		}
	}
	munmap(run, run_size);
	munmap(memory, size);
	close(vcpu);
	close(vm);
}

static void *churn(void *argument)
{
	int index = (int)(long)argument;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		fail("open /dev/kvm");
	while (now() < deadline) {
		if (!kill_mode) {
			run_one_guest(kvm);
		} else {
			pid_t child = fork();
			if (child < 0)
				fail("fork");
			if (child == 0) {
				run_one_guest(kvm);
				_exit(0);
			}
			/* Kill it somewhere between setup and deep in KVM_RUN. */
			usleep(1000 + rand() % 50000);
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
		}
		__atomic_add_fetch(&cycles[index], 1, __ATOMIC_RELAXED);
	}
	close(kvm);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[3], "run") && strcmp(argv[3], "kill"))) {
		fprintf(stderr, "usage: kvm-churn SECONDS THREADS run|kill\n");
		return 2;
	}
	int seconds = atoi(argv[1]), threads = atoi(argv[2]);
	if (seconds < 1 || threads < 1 || threads > 64) {
		fprintf(stderr, "kvm-churn: SECONDS >= 1, 1 <= THREADS <= 64\n");
		return 2;
	}
	kill_mode = !strcmp(argv[3], "kill");
	double start = now();
	deadline = start + seconds;
	pthread_t workers[64];
	for (int i = 0; i < threads; i++)
		pthread_create(&workers[i], NULL, churn, (void *)(long)i);
	for (double report = start + 10; now() < deadline; report += 10) {
		while (now() < report && now() < deadline)
			usleep(200000);
		unsigned long total = 0;
		for (int i = 0; i < threads; i++)
			total += __atomic_load_n(&cycles[i], __ATOMIC_RELAXED);
		printf("kvm-churn: %.0f s, %lu cycles\n", now() - start, total);
		fflush(stdout);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(workers[i], NULL);
	unsigned long total = 0;
	for (int i = 0; i < threads; i++)
		total += cycles[i];
	printf("kvm-churn: done, %lu cycles in %d s with %d threads (%s)\n", total, seconds, threads, argv[3]);
	return 0;
}
