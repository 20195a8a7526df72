// The floor of ingest under its mandated parts: libcsv alone, and libcsv with fast_float, on the
// file written by make_data.py, split at line ends into THREADS parts parsed on as many threads
// (as the ingest stage splits it), each part read in 1 MiB blocks with pread. Nothing is kept:
//   libcsv    empty callbacks (what libcsv itself costs, fed as the ingest stage feeds it)
//   fastfloat every field parsed by fast_float into a one-row buffer (no columns, no page faults)
// Prints the records seen. Usage: csv_floor libcsv|fastfloat DATA.csv THREADS
#include <csv.h>
#include <fast_float/fast_float.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Part {
    int descriptor;
    off_t start, end;
    bool numbers;
    size_t field = 0, records = 0;
    double row[256];
};

void on_nothing(void *, size_t, void *) {}

void on_number(void *field, size_t length, void *data) {
    auto *part = static_cast<Part *>(data);
    const char *text = field == nullptr ? "" : static_cast<const char *>(field);
    double value = 0;
    fast_float::from_chars(text, text + length, value);
    part->row[part->field++ & 255] = value;
}

void on_record(int, void *data) {
    auto *part = static_cast<Part *>(data);
    part->field = 0;
    part->records += 1;
}

void *parse(void *argument) {
    auto *part = static_cast<Part *>(argument);
    csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0) return nullptr;
    std::vector<char> block(1 << 20);
    auto field = part->numbers ? on_number : on_nothing;
    for (off_t offset = part->start; offset < part->end;) {
        size_t wanted = static_cast<size_t>(part->end - offset) < block.size() ? part->end - offset : block.size();
        ssize_t count = pread(part->descriptor, block.data(), wanted, offset);
        if (count <= 0) break;
        csv_parse(&parser, block.data(), static_cast<size_t>(count), field, on_record, part);
        offset += count;
    }
    csv_fini(&parser, field, on_record, part);
    csv_free(&parser);
    return nullptr;
}

// The offset just past the first line feed at or after `offset` (or `size`).
off_t after_line_feed(int descriptor, off_t offset, off_t size) {
    char buffer[65536];
    while (offset < size) {
        ssize_t count = pread(descriptor, buffer, sizeof buffer, offset);
        if (count <= 0) return size;
        if (auto *found = static_cast<char *>(std::memchr(buffer, '\n', static_cast<size_t>(count)))) return offset + (found - buffer) + 1;
        offset += count;
    }
    return size;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 4 || (std::strcmp(argv[1], "libcsv") != 0 && std::strcmp(argv[1], "fastfloat") != 0)) {
        std::fprintf(stderr, "usage: %s libcsv|fastfloat DATA.csv THREADS\n", argv[0]);
        return 2;
    }
    int descriptor = open(argv[2], O_RDONLY);
    int threads = std::atoi(argv[3]);
    if (descriptor < 0 || threads < 1 || threads > 64) {
        std::fprintf(stderr, "cannot read %s or bad thread count\n", argv[2]);
        return 2;
    }
    off_t size = lseek(descriptor, 0, SEEK_END);
    off_t start = after_line_feed(descriptor, 0, size);  // past the header
    std::vector<Part> parts(static_cast<size_t>(threads));
    for (int index = 0; index < threads; ++index) {
        Part &part = parts[static_cast<size_t>(index)];
        part.descriptor = descriptor;
        part.numbers = std::strcmp(argv[1], "fastfloat") == 0;
        part.start = index == 0 ? start : parts[static_cast<size_t>(index) - 1].end;
        off_t target = start + (size - start) * (index + 1) / threads;
        part.end = index + 1 == threads ? size : after_line_feed(descriptor, target, size);
    }
    std::vector<pthread_t> handles(static_cast<size_t>(threads));
    for (int index = 0; index < threads; ++index) pthread_create(&handles[static_cast<size_t>(index)], nullptr, parse, &parts[static_cast<size_t>(index)]);
    size_t records = 0;
    for (int index = 0; index < threads; ++index) {
        pthread_join(handles[static_cast<size_t>(index)], nullptr);
        records += parts[static_cast<size_t>(index)].records;
    }
    std::printf("records %zu\n", records);
    return 0;
}
