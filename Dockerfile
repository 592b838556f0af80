# Maillon: one image for the API and the workers; pick the entry point with the command.
#   docker run maillon                                  # API (src/server.ts)
#   docker run maillon node --import tsx workers/all.worker.ts
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
CMD ["node", "--import", "tsx", "src/server.ts"]
