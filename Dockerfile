# Maillon: one image for the API and the workers; pick the entry point with the command.
#   docker run maillon                                  # API (src/server.ts)
#   docker run maillon node --max-semi-space-size=4 --max-old-space-size=256 --import tsx workers/all.worker.ts
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY config ./config
COPY src ./src
COPY workers ./workers
COPY bin ./bin
COPY web ./web
USER node
EXPOSE 3000
ENV HOST=0.0.0.0 PORT=3000
# tsx runs the TypeScript sources directly: no build step, no second copy of the code.
# A young generation of 4 MB instead of 16: the detector's short-lived objects then die young
# rather than swell the old one. Workers also cap the old one at 256 MB (they hold about 90):
# V8 then collects before the process grows (npm run bench:load: 480 MB peak without, 190-275 with).
CMD ["node", "--max-semi-space-size=4", "--import", "tsx", "src/server.ts"]
